using System.Diagnostics;
using Xunit.Sdk;

namespace KvActors.TestKit;

/// <summary>
/// Deadline waits for code that has no actor system, such as the process-level specs (real kvnode
/// and kv processes). Akka.TestKit has the same (AwaitAssert, AwaitCondition) only as members of
/// a TestKit, bound to its actor system; specs with actors use Akka's.
/// </summary>
public static class Awaiting
{
    /// <summary>Retries <paramref name="assertion"/> until it stops throwing or the deadline passes (then rethrows the last failure).</summary>
    public static void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var deadline = Stopwatch.StartNew();
        var max = duration ?? TestKitSettings.DefaultTimeout;
        var pause = interval ?? TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (deadline.Elapsed < max)
            {
                // Polling is the point here: the condition is checked again after a short pause.
                Thread.Sleep(pause);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true; fails with <paramref name="message"/> at the deadline.</summary>
    public static void AwaitCondition(Func<bool> condition, TimeSpan? duration = null, string? message = null, TimeSpan? interval = null)
    {
        var max = duration ?? TestKitSettings.DefaultTimeout;
        AwaitAssert(() =>
        {
            if (!condition()) throw new XunitException(message ?? $"Condition not met within {max.TotalMilliseconds} ms.");
        }, max, interval);
    }

    /// <summary>
    /// As <see cref="AwaitCondition"/>, without blocking a thread while it waits: for async tests whose own work (clients,
    /// actor systems) runs on the thread pool.
    /// </summary>
    public static async Task AwaitConditionAsync(Func<bool> condition, TimeSpan? duration = null, Func<string>? message = null, TimeSpan? interval = null)
    {
        var max = duration ?? TestKitSettings.DefaultTimeout;
        var pause = interval ?? TimeSpan.FromMilliseconds(50);
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed >= max)
                throw new XunitException(message?.Invoke() ?? $"Condition not met within {max.TotalMilliseconds} ms.");
            await Task.Delay(pause).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks <paramref name="probe"/> again after a short pause until its answer satisfies <paramref name="done"/>, and
    /// returns that answer; at the deadline fails with <paramref name="message"/> about the last answer.
    /// </summary>
    public static async Task<T> AwaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan duration, Func<T, string> message, TimeSpan? interval = null)
    {
        var pause = interval ?? TimeSpan.FromMilliseconds(100);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answer = await probe().ConfigureAwait(false);
            if (done(answer))
                return answer;
            if (deadline.Elapsed >= duration)
                throw new XunitException(message(answer));
            await Task.Delay(pause).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a task with a deadline and returns its result; fails clearly on timeout.</summary>
    public static T Result<T>(Task<T> task, TimeSpan? timeout = null)
    {
        Completes(task, timeout);
        return task.Result;
    }

    public static void Completes(Task task, TimeSpan? timeout = null)
    {
        var max = timeout ?? TestKitSettings.DefaultTimeout;
        if (!task.Wait(max)) throw new XunitException($"Task did not complete within {max.TotalMilliseconds} ms.");
    }
}
