using System.Diagnostics;

namespace KvActors.TestKit.Processes;

/// <summary>
/// The counterpart of AwaitAssert for "this must not happen": checks <paramref name="assertion"/>
/// again and again for a whole period and fails at the first violation. The period is a bound on
/// how long a test looks, not a synchronisation: nothing waits for it to pass.
/// </summary>
public static class Holding
{
    /// <summary>Runs <paramref name="assertion"/> until <paramref name="duration"/> has passed (at least twice); returns how many times it held.</summary>
    public static int Throughout(TimeSpan duration, Action assertion, TimeSpan? interval = null)
    {
        var pause = interval ?? TimeSpan.FromMilliseconds(200);
        var clock = Stopwatch.StartNew();
        var checks = 0;
        while (true)
        {
            assertion();
            checks++;
            if (clock.Elapsed >= duration && checks >= 2) return checks;
            Thread.Sleep(pause); // the pace of the checks, not a wait for anything
        }
    }
}
