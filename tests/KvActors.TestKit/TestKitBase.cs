using KvActors.Actor;
using KvActors.Hocon;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.TestKit;

/// <summary>
/// Base class for actor tests: each test gets its own <see cref="ActorSystem"/> (named after the
/// test class), a default probe (<see cref="TestActor"/>) and captured logs; the system is shut
/// down when the test ends.
/// </summary>
public abstract class TestKitBase : IDisposable
{
    private readonly TestProbe _probe;

    protected TestKitBase(ITestOutputHelper? output = null, Config? config = null, string? systemName = null)
    {
        Logs = new LogCapture(output);
        Sys = ActorSystem.Create(systemName ?? SafeName(GetType().Name), config, new ActorSystemSetup { LoggerFactory = Logs });
        _probe = new TestProbe(Sys, "testActor");
    }

    public ActorSystem Sys { get; }
    public LogCapture Logs { get; }

    /// <summary>The default probe's reference: use it as the sender or the target in tests.</summary>
    public IActorRef TestActor => _probe.Ref;

    public TestProbe Probe => _probe;

    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name);

    public IActorRef? LastSender => _probe.LastSender;

    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => _probe.ExpectMsg<T>(predicate, timeout);
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull => _probe.ExpectMsg<T>(expected, timeout);
    public void ExpectNoMsg(TimeSpan? duration = null) => _probe.ExpectNoMsg(duration);
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null) => _probe.ExpectTerminated(actor, timeout);
    public T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null) => _probe.FishForMessage(isTheOne, timeout);
    public IReadOnlyList<T> ReceiveWhile<T>(Func<object, T?> filter, TimeSpan? max = null, TimeSpan? idle = null, int maxMessages = int.MaxValue) where T : class =>
        _probe.ReceiveWhile(filter, max, idle, maxMessages);
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => _probe.ReceiveN(count, timeout);
    public IActorRef Watch(IActorRef actor) => _probe.Watch(actor);
    public IActorRef Unwatch(IActorRef actor) => _probe.Unwatch(actor);
    public void Within(TimeSpan max, Action action) => _probe.Within(max, action);
    public T Within<T>(TimeSpan max, Func<T> action) => _probe.Within(max, action);
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null) => Awaiting.AwaitAssert(assertion, duration, interval);
    public void AwaitCondition(Func<bool> condition, TimeSpan? duration = null, string? message = null) => Awaiting.AwaitCondition(condition, duration, message);

    /// <summary>Waits until a log event of <paramref name="level"/> containing <paramref name="contains"/> was written.</summary>
    public LogEntry ExpectLog(LogLevel level, string contains, TimeSpan? timeout = null)
    {
        LogEntry? found = null;
        Awaiting.AwaitAssert(() =>
        {
            found = Logs.Matching(level, contains).FirstOrDefault()
                ?? throw new XunitException($"No {level} log containing \"{contains}\". Logged: {string.Join(" / ", Logs.Entries.TakeLast(10))}");
        }, timeout);
        return found!;
    }

    /// <summary>Shuts the system down, failing the test if it does not finish in time.</summary>
    protected void Shutdown(TimeSpan? timeout = null)
    {
        var max = timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(10));
        if (!Sys.Terminate().Wait(max))
            throw new XunitException($"Actor system {Sys.Name} did not shut down within {max.TotalMilliseconds} ms.");
    }

    public virtual void Dispose()
    {
        try { Shutdown(); }
        finally { Logs.CloseOutput(); }
        GC.SuppressFinalize(this);
    }

    private static string SafeName(string name) => new(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());
}
