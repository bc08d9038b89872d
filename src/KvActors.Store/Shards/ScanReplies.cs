using KvActors.Store.Partitioning;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;
using NotPrimary = KvActors.Store.Wire.Store.NotPrimary;
using RetryLater = KvActors.Store.Wire.Store.RetryLater;

namespace KvActors.Store.Shards;

/// <summary>
/// The answers to a <see cref="ScanRequest"/> (pure): a page of the committed keys read as a leased GET is (primary,
/// serving, holding its lease), else NotPrimary or RetryLater so the client follows or waits as for any request.
/// Keys that have expired but are not deleted yet are left out, as every read leaves them out.
/// </summary>
public static class ScanReplies
{
    /// <summary>
    /// The answer of <paramref name="replica"/> at <paramref name="now"/> (monotonic) and <paramref name="wallNowMs"/>
    /// (Unix ms, for expiry); a page holds at most about <paramref name="maxBytes"/> of keys.
    /// </summary>
    public static ScanReply Of(int partition, PartitionReplica replica, ScanRequest request, long now, long wallNowMs, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(request);
        var reply = new ScanReply { Partition = partition };
        if (replica.Role != ReplicaRole.Primary)
            reply.NotPrimary = new NotPrimary { Epoch = replica.Epoch, Hint = replica.Config?.Primary ?? "" };
        else if (!replica.IsServing(now))
            reply.RetryLater = new RetryLater { Reason = "the new primary is reconciling" };
        else if (!replica.HoldsLease(now))
            reply.RetryLater = new RetryLater { Reason = "the primary has no lease" };
        else
        {
            var state = replica.State;
            var live = state.Pairs.Select(p => p.Key).Where(key => state.ExpiryOf(key) is var at && (at == 0 || at > wallNowMs));
            var page = KeyScan.Page(live, request.After, Math.Max(1, request.Count), maxBytes);
            reply.Page = new ScanPage { Next = page.Next };
            reply.Page.Keys.AddRange(page.Keys.Select(Google.Protobuf.ByteString.CopyFrom));
        }
        return reply;
    }

    /// <summary>The shard host's answer for a partition it holds no replica of (or that does not exist).</summary>
    public static ScanReply NotHeld(int partition, RingState? ring)
    {
        var reply = new ScanReply { Partition = partition };
        if (ring is null)
            reply.RetryLater = new RetryLater { Reason = "the node has no ring yet" };
        else if (partition < 0 || partition >= ring.PartitionCount)
            reply.Refused = new Refused { Reason = $"Partition {partition} does not exist: the ring has {ring.PartitionCount} partitions." };
        else
            reply.NotPrimary = new NotPrimary { Epoch = ring.Epoch, Hint = ring[partition].Primary?.Value ?? "" };
        return reply;
    }
}
