using KvActors.Storage;

namespace KvActors.Store.Replication;

/// <summary>
/// The committed contents of a partition at one replica: keys and values (memory-resident) plus the duplicate-request
/// answers, with the seq of the last entry applied. Applying is deterministic, so replicas that applied the same entries
/// hold the same state.
/// </summary>
public sealed class KeyValueState
{
    private readonly Dictionary<byte[], byte[]> data = new(ByteArrayComparer.Instance);
    private readonly RequestTable requests;

    public KeyValueState(ReplicationSettings settings)
    {
        requests = new RequestTable(settings.RequestsKeptPerClient, settings.ClientsKept);
    }

    /// <summary>The last seq applied (the replica's commit point).</summary>
    public long AppliedThrough { get; private set; }

    public int Count => data.Count;

    /// <summary>Key plus value bytes of every pair held, kept up to date as entries are applied (for statistics).</summary>
    public long Bytes { get; private set; }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Pairs => data;

    public byte[]? Get(byte[] key) => data.TryGetValue(key, out var value) ? value : null;

    public bool TryGetAnswer(RequestId request, out CompletedRequest answer) => requests.TryGet(request, out answer);

    /// <summary>
    /// Applies the next committed entry. An entry whose request was already applied (the same request prepared twice,
    /// e.g. retried across a failover) changes nothing and gets the first answer.
    /// </summary>
    public CompletedRequest Apply(LogEntry entry)
    {
        if (entry.Seq != AppliedThrough + 1)
            throw new InvalidOperationException($"apply of seq {entry.Seq} after {AppliedThrough}");
        AppliedThrough = entry.Seq;
        if (requests.TryGet(entry.Request, out var first))
            return first;
        var op = entry.Operation;
        bool existed;
        if (op.Kind == KvOperationKind.Put)
        {
            existed = data.TryGetValue(op.Key, out var old);
            Bytes += existed ? op.Value!.Length - old!.Length : op.Key.Length + op.Value!.Length;
            data[op.Key] = op.Value!;
        }
        else
        {
            existed = data.Remove(op.Key, out var old);
            if (existed)
                Bytes -= op.Key.Length + old!.Length;
        }
        var answer = new CompletedRequest(entry.Request, new WriteResult(existed), entry.Seq);
        requests.Record(answer);
        return answer;
    }

    /// <summary>A copy of the state at <see cref="AppliedThrough"/>; <paramref name="epochAtSeq"/> is the epoch of that entry.</summary>
    public ReplicaSnapshot Snapshot(long epochAtSeq) =>
        new(AppliedThrough, epochAtSeq, data.ToArray(), requests.Export());

    public static KeyValueState FromSnapshot(ReplicaSnapshot snapshot, ReplicationSettings settings)
    {
        var state = new KeyValueState(settings) { AppliedThrough = snapshot.Seq };
        foreach (var (key, value) in snapshot.Data)
        {
            if (state.data.TryGetValue(key, out var old))
                state.Bytes -= key.Length + old.Length;
            state.data[key] = value;
            state.Bytes += key.Length + value.Length;
        }
        foreach (var answer in snapshot.Requests)
            state.requests.Record(answer);
        return state;
    }
}
