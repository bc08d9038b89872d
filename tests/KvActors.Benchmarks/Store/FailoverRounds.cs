using System.Diagnostics;
using KvActors.Client;
using KvActors.Store.Partitioning;

namespace KvActors.Benchmarks.Store;

/// <summary>One SIGKILL of a primary and how long its partitions took to accept writes again.</summary>
public sealed record FailoverRound(int Number, string Victim, bool WasOldest, int Partitions, double AllMs, double FirstMs, double MedianMs, double RingMs, int Unrecovered);

/// <summary>
/// The store benchmark's failover rounds. Each round SIGKILLs one kvnode (rounds 1, 4, 7, ... the oldest member, which
/// hosts the RingManager singleton, so 2 of the default 5 rounds; the others a younger member) and, from the kill on, writes to every partition the victim
/// was primary of: a new put per still-unrecovered partition every <see cref="ProbeInterval"/> (so a put stuck on the
/// dead node does not hide the recovery). A partition has recovered when a put invoked after the kill completes; the
/// round's failover time is the slowest partition's. The victim is then restarted (same port and data directory) and
/// the ring awaited back to full strength before the next round.
/// </summary>
public static class FailoverRounds
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Time for the failure detectors to gather heartbeat history after a (re)start.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<IReadOnlyList<FailoverRound>> RunAsync(StoreCluster cluster, int rounds)
    {
        var ring = await cluster.AwaitFullRingAsync();
        var keys = KeyPerPartition(ring.PartitionCount);
        var value = BenchKeys.Value(seed: 2);
        var results = new List<FailoverRound>();
        for (var r = 1; r <= rounds; r++)
        {
            await Task.Delay(Settle);
            ring = await cluster.AwaitFullRingAsync();
            var oldest = await cluster.OldestMemberAsync();
            // A primary on the RingManager's host fails over only once Akka has downed and removed the node and the
            // singleton has moved; elsewhere the replication layer's own suspicion acts first. Both kinds are measured.
            var killOldest = r % 3 == 1;
            var victimIndex = killOldest
                ? cluster.Nodes.FindIndex(n => n.HostPort == oldest)
                : cluster.Nodes.FindLastIndex(n => n.HostPort != oldest); // the youngest by start order is good enough: not the oldest
            if (victimIndex < 0) throw new InvalidOperationException($"the oldest member {oldest} is none of the benchmark's kvnodes.");
            var round = await KillRound(cluster, r, victimIndex, cluster.Nodes[victimIndex].HostPort == oldest, ring, keys, value);
            results.Add(round);
            Report.Note($"round {r}: SIGKILL {round.Victim}{(round.WasOldest ? " (oldest member: RingManager host)" : "")}, primary of {round.Partitions} partitions: all accept writes after {round.AllMs:0} ms (first {round.FirstMs:0} ms, median partition {round.MedianMs:0} ms; client saw the new primaries in its ring after {round.RingMs:0} ms){(round.Unrecovered > 0 ? $"; {round.Unrecovered} partitions NOT recovered within {RecoveryDeadline.TotalSeconds:0} s" : "")}");

            var killed = cluster.Nodes[victimIndex];
            killed.Dispose();
            cluster.EarlierLogs.Add((killed.Name, killed.Lines.Select(l => l.Line).ToList()));
            cluster.Nodes[victimIndex] = killed.Restart();
            var restartedAt = Stopwatch.StartNew();
            await cluster.AwaitFullRingAsync();
            Report.Note($"round {r}: {killed.Name} restarted; ring back to full strength after {restartedAt.Elapsed.TotalSeconds:0.0} s");
        }
        return results;
    }

    private static async Task<FailoverRound> KillRound(StoreCluster cluster, int number, int victimIndex, bool wasOldest, RingState ring, byte[][] keys, byte[] value)
    {
        var victim = cluster.Nodes[victimIndex];
        var affected = Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary?.Value == victim.HostPort).ToArray();
        var recovered = new long[ring.PartitionCount]; // Stopwatch timestamp of the first put that completed; 0 = not yet
        var recoveredCount = 0;
        var probes = new List<Task>();
        long? ringSeen = null;

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref recoveredCount) < affected.Length && clock.Elapsed < RecoveryDeadline)
        {
            foreach (var p in affected)
                if (Volatile.Read(ref recovered[p]) == 0)
                    probes.Add(Probe(p));
            if (ringSeen is null && cluster.Client.Ring is { } now && affected.All(p => now[p].Primary?.Value is { } primary && primary != victim.HostPort))
                ringSeen = Stopwatch.GetTimestamp();
            await Task.Delay(ProbeInterval);
        }
        if (ringSeen is null && cluster.Client.Ring is { } last && affected.All(p => last[p].Primary?.Value is { } primary && primary != victim.HostPort))
            ringSeen = Stopwatch.GetTimestamp(); // seen only at the end: an upper bound
        await Task.WhenAny(Task.WhenAll(probes), Task.Delay(TimeSpan.FromSeconds(15)));

        List<double> times;
        lock (recovered) times = affected.Where(p => recovered[p] != 0).Select(p => Stats.Ms(killedAt, recovered[p])).ToList();
        var unrecovered = affected.Length - times.Count;
        return new FailoverRound(number, $"{victim.Name} ({victim.HostPort})", wasOldest, affected.Length,
            unrecovered > 0 ? double.NaN : times.Max(), times.Count == 0 ? double.NaN : times.Min(), Stats.Median(times),
            ringSeen is null ? double.NaN : Stats.Ms(killedAt, ringSeen.Value), unrecovered);

        async Task Probe(int partition)
        {
            try
            {
                await cluster.Client.PutAsync(keys[partition], value);
                var at = Stopwatch.GetTimestamp();
                lock (recovered)
                {
                    if (recovered[partition] == 0)
                    {
                        Volatile.Write(ref recovered[partition], at);
                        recoveredCount++;
                    }
                }
            }
            catch (KvClientException)
            {
                // timed out: a later probe of the same partition tells when it is back
            }
        }
    }

    /// <summary>One benchmark key in each partition (the first key number that falls in it).</summary>
    private static byte[][] KeyPerPartition(int partitionCount)
    {
        var partitioner = new Partitioner(partitionCount);
        var keys = new byte[partitionCount][];
        var found = 0;
        for (long i = 0; found < partitionCount; i++)
        {
            var key = BenchKeys.Key(i);
            var p = partitioner.PartitionOf(key);
            if (keys[p] is null)
            {
                keys[p] = key;
                found++;
            }
        }
        return keys;
    }
}
