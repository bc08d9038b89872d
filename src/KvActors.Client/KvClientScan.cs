using System.Diagnostics;
using Akka.Actor;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

/// <summary>A page of one partition's committed keys and where the next page starts (0: the partition is done).</summary>
public sealed record KvScanPage(IReadOnlyList<byte[]> Keys, ulong Next);

public sealed partial class KvClient
{
    /// <summary>
    /// A page of at most about <paramref name="count"/> committed keys of <paramref name="partition"/>, read at its
    /// primary under its lease (as a GET), after <paramref name="after"/> (0: from the start; else the previous page's
    /// <see cref="KvScanPage.Next"/>). NotPrimary and RetryLater are followed and retried as for any request. A key present
    /// for the whole scan is returned at least once, in whichever page its position falls (see KeyScan).
    /// </summary>
    public async Task<KvScanPage> ScanAsync(int partition, ulong after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = new ScanRequest { Partition = partition, After = after, Count = count };
        var clock = Stopwatch.StartNew();
        var backoff = TimeSpan.FromMilliseconds(20);
        var problem = "no attempt was made";
        string? target = null; // a NotPrimary hint, tried before the ring's primary
        while (true)
        {
            var remaining = _options.Timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw new KvClientException($"The scan of partition {partition} was not completed within {AdminClient.Seconds(_options.Timeout)} s: {problem.TrimEnd('.')}.");
            if (_ring is not { } view)
            {
                problem = $"the client has no ring yet ({(_ringStatus ?? "no node gave one").TrimEnd('.')})";
                await Bounded(Refresh(-1), remaining).ConfigureAwait(false);
                await Pause(ref backoff, _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                continue;
            }
            if (partition >= view.State.PartitionCount)
                throw new KvClientException($"Partition {partition} does not exist: the cluster has {view.State.PartitionCount} partitions.");
            var node = target ?? view.State[partition].Primary?.Value;
            if (node is null || HostPort.TryParse(node, out _) is not { } endpoint)
            {
                problem = $"partition {partition} has no primary in ring epoch {view.State.Epoch}";
                target = null;
                await Bounded(Refresh(view.State.Epoch), remaining).ConfigureAwait(false);
                await Pause(ref backoff, _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                continue;
            }
            var wait = _options.AttemptTimeout < remaining ? _options.AttemptTimeout : remaining;
            ScanReply reply;
            try
            {
                reply = await ShardHostOf(endpoint).Ask<ScanReply>(request, wait).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                problem = $"{node} did not answer within {AdminClient.Seconds(wait)} s";
                target = null;
                await Bounded(Refresh(view.State.Epoch), _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                continue;
            }
            switch (reply.ResultCase)
            {
                case ScanReply.ResultOneofCase.Page:
                    return new KvScanPage(reply.Page.Keys.Select(k => k.ToByteArray()).ToArray(), reply.Page.Next);
                case ScanReply.ResultOneofCase.Refused:
                    throw new KvClientException(NullIfEmpty(reply.Refused.Reason) ?? $"{node} refused the scan.") { Refused = true };
                case ScanReply.ResultOneofCase.NotPrimary:
                    var hint = NullIfEmpty(reply.NotPrimary.Hint);
                    problem = $"{node} is not the primary of partition {partition}{(hint is null ? "" : $" (it named {hint})")}";
                    target = hint is not null && hint != node ? hint : null;
                    var stale = reply.NotPrimary.Epoch >= view.State.Epoch ? view.State.Epoch : view.State.Epoch - 1;
                    await Bounded(Refresh(stale, hint), _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                    if (target is null) await Pause(ref backoff, _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                    continue;
                case ScanReply.ResultOneofCase.RetryLater:
                    problem = $"{node} asked to retry later ({(NullIfEmpty(reply.RetryLater.Reason) ?? "busy").TrimEnd('.')})";
                    await Pause(ref backoff, _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                    continue;
                default:
                    throw new KvClientException($"{node} answered a scan with an empty reply (is it a different version?).");
            }
        }
    }
}
