using System.Buffers;

namespace KvActors.Remote.Transport;

/// <summary>
/// Encoded frames back to back in one pooled buffer, plus the envelopes they came from (only
/// needed to report drops). The writer sends the whole buffer with one socket write.
/// </summary>
internal sealed class OutboundBatch
{
    private const int InitialBytes = 16 * 1024;
    /// <summary>A buffer grown past this by a burst goes back to the pool after the burst.</summary>
    private const int RetainedBytes = 1 << 20;
    private const int RetainedEnvelopes = 64 * 1024;

    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(InitialBytes);

    public int Length { get; private set; }
    public List<OutboundEnvelope> Envelopes { get; } = new();
    public int Count => Envelopes.Count;
    public ReadOnlyMemory<byte> Bytes => _bytes.AsMemory(0, Length);

    public void Append(ReadOnlySpan<byte> frame, in OutboundEnvelope envelope)
    {
        if (_bytes.Length - Length < frame.Length) Grow(frame.Length);
        frame.CopyTo(_bytes.AsSpan(Length));
        Length += frame.Length;
        Envelopes.Add(envelope);
    }

    public void Clear()
    {
        Length = 0;
        // Drop the references so sent messages can be collected.
        Envelopes.Clear();
        // Keep the list's capacity through ordinary bursts (re-growing it would allocate per batch);
        // only a freak burst's list is shrunk.
        if (Envelopes.Capacity > RetainedEnvelopes) Envelopes.Capacity = RetainedEnvelopes;
        if (_bytes.Length > RetainedBytes)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = ArrayPool<byte>.Shared.Rent(InitialBytes);
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(2L * _bytes.Length, (long)Length + needed)));
        _bytes.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = bigger;
    }
}
