using KvActors.Storage.Format;

namespace KvActors.Storage.Wal;

/// <summary>Where one record sits inside a batch buffer, and what the index needs to know about it.</summary>
public readonly record struct BatchRecord(int Partition, long Seq, OperationKind Kind, long Epoch, int Offset, int Length);

/// <summary>
/// Appends gathered for one write: their frames encoded back to back in one buffer, and one completion they all share
/// (so an append costs no allocation of its own). Two of these alternate: one fills while the other is written.
/// </summary>
internal sealed class AppendBatch
{
    private const int ShrinkAbove = 16 << 20;
    private const int InitialCapacity = 1 << 20;

    public byte[] Buffer = new byte[InitialCapacity];
    public int Length;
    public BatchRecord[] Records = new BatchRecord[1024];
    public int Count;
    /// <summary>Fsync this batch whatever the policy (Drop records must be durable before their effects).</summary>
    public bool ForceSync;
    public TaskCompletionSource Completion = NewCompletion();

    public void Add(int partition, long seq, OperationKind kind, long epoch, ReadOnlySpan<byte> key, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> value, long expiresAtMs = 0)
    {
        var size = RecordCodec.FrameSize(key.Length, tag.Length, value.Length);
        if (Buffer.Length - Length < size) Array.Resize(ref Buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)Buffer.Length * 2, (long)Length + size)));
        if (Count == Records.Length) Array.Resize(ref Records, Records.Length * 2);
        RecordCodec.Encode(Buffer.AsSpan(Length, size), partition, seq, kind, epoch, key, tag, value, expiresAtMs);
        Records[Count++] = new BatchRecord(partition, seq, kind, epoch, Length, size);
        Length += size;
    }

    /// <summary>Adds one of a partition's log writes as the record that stands for it.</summary>
    public void Add(int partition, in LogWrite write)
    {
        switch (write.Kind)
        {
            case LogWriteKind.Append:
                var op = write.Operation;
                Add(partition, write.Seq, op.Kind, op.Epoch, op.Key.Span, op.Tag.Span, op.Value.Span, op.ExpiresAtMs);
                break;
            case LogWriteKind.TruncateAfter:
                Add(partition, write.Seq, OperationKind.Truncate, 0, default, default, default);
                break;
            default:
                // The commit point travels in the header's seq, the epoch in the payload's epoch.
                Add(partition, write.Mark.CommitPoint, OperationKind.Mark, write.Mark.Epoch, default, default, default);
                break;
        }
    }

    /// <summary>Empties the batch for reuse with a fresh completion; gives back memory a huge value made it grow to.</summary>
    public void Reset()
    {
        if (Buffer.Length > ShrinkAbove) Buffer = new byte[InitialCapacity];
        if (Records.Length > 64 * 1024) Records = new BatchRecord[1024];
        Length = 0;
        Count = 0;
        ForceSync = false;
        Completion = NewCompletion();
    }

    /// <summary>Empties the batch for reuse, keeping its completion (the inline writer never hands that out).</summary>
    public void Clear()
    {
        if (Buffer.Length > ShrinkAbove) Buffer = new byte[InitialCapacity];
        Length = 0;
        Count = 0;
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
