using System.Diagnostics;

namespace KvActors.Benchmarks;

/// <summary>
/// How fast this host runs a fixed single-threaded loop right now. On a shared VM the same work takes up to twice as
/// long from one minute to the next (this 2-core VM, 2026-11-28: an equivalent Python loop took 0.37-0.65 s in three
/// runs a second apart), so a benchmark prints this beside its figures: two runs compare only when their probes agree.
/// </summary>
public static class HostSpeed
{
    private const int Iterations = 100_000_000;

    /// <summary>Milliseconds the loop took (lower is faster).</summary>
    public static double ProbeMs()
    {
        var clock = Stopwatch.StartNew();
        var x = (ulong)Environment.TickCount64 | 1;
        for (var i = 0; i < Iterations; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return x == 0 ? double.NaN : elapsed; // x is never 0; using it keeps the loop from being optimized away
    }

    /// <summary>A note line: the probe's time and the load average.</summary>
    public static string Describe(string when) =>
        $"host {when}: a fixed single-thread loop took {ProbeMs():0} ms (lower is faster; runs whose probes differ much are not comparable), load average {Cluster.ClusterSoak.LoadAverage()}";
}
