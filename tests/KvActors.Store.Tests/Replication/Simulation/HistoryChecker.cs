using System.Text;
using KvActors.Store.Replication;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// Watches a run and throws <see cref="InvariantViolation"/> as soon as a safety property breaks:
/// <list type="bullet">
/// <item>committed prefixes agree: every replica applies the same entry at the same seq (and executes the same requests);</item>
/// <item>a request takes effect at most once, and a write is acknowledged with the seq it took effect at;</item>
/// <item>the epoch never goes back at any node (also across restarts);</item>
/// <item>at most one node serves (acknowledges a write or serves a leased read) per epoch, and no node serves a leased
/// read once a primary of a newer epoch has served anything;</item>
/// <item>no stale read: a leased read returns the value of the last write to the key acknowledged before the read was
/// invoked, or of a later one (checked against the recorded history in virtual time); any read returns a committed value.</item>
/// </list>
/// Values are unique per write, so a returned value names its write.
/// </summary>
public sealed class HistoryChecker
{
    private readonly Dictionary<long, Committed> committed = new();
    private readonly Dictionary<RequestId, long> tookEffectAt = new();
    private readonly Dictionary<string, long> epochs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> servers = new();
    private readonly Dictionary<RequestId, ReadMode> readModes = new();
    private readonly Dictionary<string, RequestId> valueOwners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<AckedWrite>> ackedByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> lastDeleteSeq = new(StringComparer.Ordinal);
    private readonly HashSet<RequestId> increments = new();
    private readonly HashSet<long> ackedCounts = new();

    public int AckedWriteCount { get; private set; }
    public int LeasedReadCount { get; private set; }
    public int StaleReadCount { get; private set; }
    public long HighestCommitted { get; private set; }
    public IEnumerable<AckedWrite> AckedWrites => ackedByKey.Values.SelectMany(w => w);

    public void RegisterPut(RequestId request, string value) => valueOwners.Add(value, request);

    public void RegisterRead(RequestId request, ReadMode mode) => readModes[request] = mode;

    public void RegisterIncrement(RequestId request) => increments.Add(request);

    public int AckedIncrements => ackedCounts.Count;

    /// <summary>An increment was acknowledged: the count it answered must be one no other increment answered.</summary>
    public void OnIncrementAcked(RequestId request, WriteDone reply)
    {
        if (!tookEffectAt.ContainsKey(request))
            throw new InvariantViolation($"client got an acknowledgement for increment {request}, which never took effect");
        var count = reply.Outcome?.Number ?? throw new InvariantViolation($"increment {request} was acknowledged without its count");
        if (!ackedCounts.Add(count))
            throw new InvariantViolation($"two acknowledged increments answered the same count {count}");
    }

    /// <summary>Committed increments that took effect through <paramref name="through"/>.</summary>
    public long IncrementsThrough(long through)
    {
        long n = 0;
        for (var seq = 1L; seq <= through; seq++)
            if (committed.TryGetValue(seq, out var c) && c.Executed && increments.Contains(c.Entry.Request))
                n++;
        return n;
    }

    public void OnApplied(string node, LogEntry entry, CompletedRequest answer)
    {
        var executed = answer.Seq == entry.Seq;
        if (committed.TryGetValue(entry.Seq, out var first))
        {
            if (first.Entry != entry || first.Executed != executed)
                throw new InvariantViolation(
                    $"committed prefixes disagree at seq {entry.Seq}: {node} applied {Describe(entry)} (executed {executed}), {first.Node} had applied {Describe(first.Entry)} (executed {first.Executed})");
            return;
        }
        committed[entry.Seq] = new Committed(entry, executed, node);
        HighestCommitted = Math.Max(HighestCommitted, entry.Seq);
        if (!executed)
            return;
        if (!tookEffectAt.TryAdd(entry.Request, entry.Seq))
            throw new InvariantViolation($"request {entry.Request} took effect twice: at seq {tookEffectAt[entry.Request]} and at seq {entry.Seq}");
        if (entry.Operation.Kind == KvOperationKind.Delete)
        {
            var key = Text(entry.Operation.Key);
            lastDeleteSeq[key] = Math.Max(lastDeleteSeq.GetValueOrDefault(key), entry.Seq);
        }
    }

    public void ObserveEpoch(string node, long epoch)
    {
        var seen = epochs.GetValueOrDefault(node);
        if (epoch < seen)
            throw new InvariantViolation($"the epoch went back at {node}: from {seen} to {epoch}");
        epochs[node] = epoch;
    }

    /// <summary>A node sent a client reply (before the network: this is when it served).</summary>
    public void OnReplySent(string node, long epoch, ClientReply reply, long now)
    {
        switch (reply)
        {
            case WriteDone w:
                if (!tookEffectAt.TryGetValue(w.Request, out var seq) || seq != w.Seq)
                    throw new InvariantViolation($"{node} acknowledged {w.Request} at seq {w.Seq}, but it took effect at {(tookEffectAt.ContainsKey(w.Request) ? tookEffectAt[w.Request] : "no seq")}");
                Served(node, epoch, now, read: false);
                break;
            case ReadDone r when readModes.GetValueOrDefault(r.Request) == ReadMode.Leased:
                Served(node, epoch, now, read: true);
                break;
        }
    }

    private void Served(string node, long epoch, long now, bool read)
    {
        if (servers.TryGetValue(epoch, out var other) && other != node)
            throw new InvariantViolation($"two primaries served in epoch {epoch}: {other} and {node} (at {now})");
        servers[epoch] = node;
        if (!read)
            return;
        foreach (var (newer, server) in servers)
            if (newer > epoch && server != node)
                throw new InvariantViolation($"{node} served a leased read in epoch {epoch} at {now}, after {server} had served in epoch {newer}");
    }

    /// <summary>The client received the acknowledgement of its write.</summary>
    public void OnWriteAcked(string key, RequestId request, KvOperationKind kind, WriteDone reply, long now)
    {
        if (!tookEffectAt.TryGetValue(request, out var seq))
            throw new InvariantViolation($"client got an acknowledgement for {request}, which never took effect");
        AckedWriteCount++;
        if (!ackedByKey.TryGetValue(key, out var list))
            ackedByKey[key] = list = new List<AckedWrite>();
        list.Add(new AckedWrite(key, request, kind, seq, now));
    }

    /// <summary>The client received a read result; <paramref name="invokedAt"/> is when it first sent the read.</summary>
    public void OnReadCompleted(string key, RequestId request, ReadMode mode, byte[]? value, long invokedAt, long now)
    {
        long valueSeq = 0;
        if (value is not null)
        {
            var text = Text(value);
            if (!valueOwners.TryGetValue(text, out var owner))
                throw new InvariantViolation($"read {request} of {key} returned {text}, which nobody wrote");
            if (!tookEffectAt.TryGetValue(owner, out valueSeq))
                throw new InvariantViolation($"read {request} of {key} returned {text}, which was never committed");
            var writtenKey = Text(committed[valueSeq].Entry.Operation.Key);
            if (writtenKey != key)
                throw new InvariantViolation($"read {request} of {key} returned {text}, written to {writtenKey}");
        }
        if (mode == ReadMode.Stale)
        {
            StaleReadCount++;
            return;
        }
        LeasedReadCount++;
        // The newest write to the key acknowledged before the read was invoked.
        var latest = ackedByKey.GetValueOrDefault(key)?.Where(w => w.AckedAt < invokedAt).MaxBy(w => w.Seq);
        if (latest is null)
            return;
        var fresh = value is not null
            ? valueSeq >= latest.Seq
            : latest.Kind == KvOperationKind.Delete || lastDeleteSeq.GetValueOrDefault(key) > latest.Seq;
        if (!fresh)
            throw new InvariantViolation(
                $"stale read {request} of {key} (invoked {invokedAt}, answered {now}): got {(value is null ? "not found" : $"{Text(value)} (seq {valueSeq})")}, but {latest.Request} ({latest.Kind}, seq {latest.Seq}) was acknowledged at {latest.AckedAt}");
    }

    /// <summary>The state the committed history gives through <paramref name="through"/>.</summary>
    public SortedDictionary<string, string> ExpectedState(long through)
    {
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var seq = 1L; seq <= through; seq++)
        {
            if (!committed.TryGetValue(seq, out var c))
                throw new InvariantViolation($"seq {seq} is below a commit point but no replica ever applied it");
            if (!c.Executed)
                continue;
            var op = c.Entry.Operation;
            if (op.Kind == KvOperationKind.Put)
                state[Text(op.Key)] = Text(op.Value!);
            else if (op.Kind == KvOperationKind.Delete)
                state.Remove(Text(op.Key));
        }
        return state;
    }

    public long? SeqOf(RequestId request) => tookEffectAt.TryGetValue(request, out var seq) ? seq : null;

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static string Describe(LogEntry e) =>
        $"[{e.Seq}@{e.Epoch} {e.Request} {e.Operation.Kind} {Text(e.Operation.Key)}{(e.Operation.Value is null ? "" : "=" + Text(e.Operation.Value))}]";

    private sealed record Committed(LogEntry Entry, bool Executed, string Node);
}

/// <summary>A write whose acknowledgement a client received.</summary>
public sealed record AckedWrite(string Key, RequestId Request, KvOperationKind Kind, long Seq, long AckedAt);
