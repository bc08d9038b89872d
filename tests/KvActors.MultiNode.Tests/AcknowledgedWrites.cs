using KvActors.Client;
using KvActors.TestKit.Store;

namespace KvActors.MultiNode.Tests;

/// <summary>The invariant a replica crash spec ends with: every acknowledged write is kept, and every replica agrees.</summary>
internal static class AcknowledgedWrites
{
    /// <summary>
    /// Every write <paramref name="writers"/> had acknowledged reads back from its primary, and every in-sync replica of
    /// its partition (the restarted one included) holds the same value within <paramref name="agreeDeadline"/>.
    /// </summary>
    public static async Task ShouldAllBeReadBackFromEveryReplicaAsync(KvClient observer, IEnumerable<FreshKeyWriter> writers,
        TimeSpan agreeDeadline, Action<string> say)
    {
        var all = writers.ToList();
        var acknowledged = all.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        var lost = await ReadBack.MismatchesAsync(observer, acknowledged);
        say($"{acknowledged.Count} acknowledged writes ({all.Sum(w => w.Failures.Count)} given up by the clients), {lost.Count} not read back.");
        lost.Should().BeEmpty("no acknowledged write may be lost while fewer than RF nodes fail");
        var disagreements = await ReadBack.AwaitReplicasAgreeAsync(observer, acknowledged.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), agreeDeadline);
        say($"Replica reads: {acknowledged.Count} keys x 3 in-sync replicas, {disagreements.Count} disagreements.");
        disagreements.Should().BeEmpty("every in-sync replica, the restarted one included, holds what its primary acknowledged");
    }
}
