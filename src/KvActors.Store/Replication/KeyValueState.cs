using System.Runtime.InteropServices;
using KvActors.Storage;

namespace KvActors.Store.Replication;

/// <summary>
/// The committed contents of a partition at one replica: keys and values (memory-resident) with their expiries, plus
/// the duplicate-request answers, with the seq of the last entry applied. Applying is deterministic (it reads no clock:
/// expiry is only a value's attribute here), so replicas that applied the same entries hold the same state.
/// </summary>
/// <remarks>
/// Expiries are kept apart from the values, like Redis's expires dictionary: only keys that have one are in
/// <see cref="ExpiryIndex"/>, ordered by time, so the primary finds the keys due for deletion without a scan.
/// </remarks>
public sealed class KeyValueState
{
    private readonly Dictionary<byte[], byte[]> data = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], long> expiries = new(ByteArrayComparer.Instance);
    private readonly SortedSet<(long At, byte[] Key)> expiryIndex = new(ExpiryOrder.Instance);
    private readonly RequestTable requests;

    public KeyValueState(ReplicationSettings settings)
    {
        requests = new RequestTable(settings.RequestsKeptPerClient, settings.ClientsKept);
    }

    /// <summary>The last seq applied (the replica's commit point).</summary>
    public long AppliedThrough { get; private set; }

    /// <summary>Keys held, expired ones not yet deleted included (the primary's expiry pass deletes them).</summary>
    public int Count => data.Count;

    /// <summary>Keys held that have an expiry.</summary>
    public int ExpiringCount => expiries.Count;

    /// <summary>Key plus value bytes of every pair held, kept up to date as entries are applied (for statistics).</summary>
    public long Bytes { get; private set; }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Pairs => data;

    /// <summary>The value held under <paramref name="key"/>, expired or not (for tests and tools; reads use <see cref="GetLive"/>).</summary>
    public byte[]? Get(byte[] key) => data.TryGetValue(key, out var value) ? value : null;

    /// <summary>The value and expiry held under <paramref name="key"/>, expired or not; null when none is held.</summary>
    public StoredValue? GetStored(byte[] key) =>
        data.TryGetValue(key, out var value) ? new StoredValue(value, ExpiryOf(key)) : null;

    /// <summary>The value of <paramref name="key"/> unless it expired by <paramref name="wallNowMs"/> (Unix ms).</summary>
    public StoredValue? GetLive(byte[] key, long wallNowMs) => GetStored(key) is { } stored && stored.IsLiveAt(wallNowMs) ? stored : null;

    /// <summary>The expiry of <paramref name="key"/> (Unix ms), 0 when it has none or is not held.</summary>
    public long ExpiryOf(byte[] key) => expiries.Count > 0 && expiries.TryGetValue(key, out var at) ? at : 0;

    /// <summary>Keys with an expiry, soonest first.</summary>
    public IEnumerable<(long At, byte[] Key)> ExpiryIndex => expiryIndex;

    /// <summary>The soonest expiry of any committed key (Unix ms), or null when no key expires.</summary>
    public long? NextExpiryAt => expiryIndex.Count == 0 ? null : expiryIndex.Min.At;

    public bool TryGetAnswer(RequestId request, out CompletedRequest answer) => requests.TryGet(request, out answer);

    /// <summary>Whether the answer of <paramref name="request"/>, had it run, would no longer be kept (<see cref="RequestTable.IsForgotten"/>).</summary>
    public bool IsForgotten(RequestId request) => requests.IsForgotten(request);

    /// <summary>
    /// Applies the next committed entry. An entry whose request was already applied (the same request prepared twice,
    /// e.g. retried across a failover) changes nothing and gets the first answer.
    /// </summary>
    public CompletedRequest Apply(LogEntry entry)
    {
        if (entry.Seq != AppliedThrough + 1)
            throw new InvalidOperationException($"apply of seq {entry.Seq} after {AppliedThrough}");
        AppliedThrough = entry.Seq;
        var request = entry.Request;
        if (!request.IsStore && requests.Find(ref request) is { } first)
            return first;
        var op = entry.Operation;
        bool existed;
        switch (op.Kind)
        {
            case KvOperationKind.Put:
                // One hash lookup: this runs for every write on every replica.
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(data, op.Key, out existed);
                Bytes += existed ? op.Value!.Length - slot!.Length : op.Key.Length + op.Value!.Length;
                slot = op.Value!;
                SetExpiry(op.Key, op.ExpiresAtMs);
                break;
            case KvOperationKind.Delete:
                existed = data.Remove(op.Key, out var removed);
                if (existed)
                    Bytes -= op.Key.Length + removed!.Length;
                SetExpiry(op.Key, 0);
                break;
            default:
                existed = data.ContainsKey(op.Key);
                break;
        }
        var answer = new CompletedRequest(request, new WriteResult(entry.Outcome?.Existed ?? existed), entry.Seq, entry.Outcome);
        if (!request.IsStore)
            requests.Record(answer);
        return answer;
    }

    private void SetExpiry(byte[] key, long at)
    {
        if (at == 0 && expiries.Count == 0)
            return;
        if (expiries.Remove(key, out var previous))
            expiryIndex.Remove((previous, key));
        if (at == 0)
            return;
        expiries[key] = at;
        expiryIndex.Add((at, key));
    }

    /// <summary>A copy of the state at <see cref="AppliedThrough"/>; <paramref name="epochAtSeq"/> is the epoch of that entry.</summary>
    public ReplicaSnapshot Snapshot(long epochAtSeq) =>
        new(AppliedThrough, epochAtSeq, data.ToArray(), requests.Export(), new Dictionary<byte[], long>(expiries, ByteArrayComparer.Instance));

    public static KeyValueState FromSnapshot(ReplicaSnapshot snapshot, ReplicationSettings settings)
    {
        var state = new KeyValueState(settings) { AppliedThrough = snapshot.Seq };
        foreach (var (key, value) in snapshot.Data)
        {
            if (state.data.TryGetValue(key, out var old))
                state.Bytes -= key.Length + old.Length;
            state.data[key] = value;
            state.Bytes += key.Length + value.Length;
            state.SetExpiry(key, snapshot.ExpiryOf(key));
        }
        foreach (var answer in snapshot.Requests)
            state.requests.Record(answer);
        return state;
    }

    /// <summary>Orders the expiry index by time, then key bytes.</summary>
    private sealed class ExpiryOrder : IComparer<(long At, byte[] Key)>
    {
        public static readonly ExpiryOrder Instance = new();

        public int Compare((long At, byte[] Key) x, (long At, byte[] Key) y)
        {
            var byTime = x.At.CompareTo(y.At);
            return byTime != 0 ? byTime : x.Key.AsSpan().SequenceCompareTo(y.Key);
        }
    }
}
