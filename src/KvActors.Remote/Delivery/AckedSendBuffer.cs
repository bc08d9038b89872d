namespace KvActors.Remote.Delivery;

/// <summary>What the send side of reliable delivery asks its owner to do.</summary>
public enum SendDecision
{
    /// <summary>Transmit the returned message(s).</summary>
    Send,
    /// <summary>The peer cannot keep up or cannot be reached: quarantine it (system messages would be lost).</summary>
    Quarantine,
}

/// <summary>
/// The sender half of reliable system-message delivery (Akka's AckedSendBuffer): numbers
/// messages, keeps them until cumulatively acked, resends on nack or when a resend interval
/// passed without an ack, and decides quarantine when the buffer is full or the oldest
/// message stays unacked too long. Pure: no clocks (time passed in as ms), no threads.
/// </summary>
public sealed class AckedSendBuffer<T>
{
    private sealed class Entry(ulong seq, T message, long firstSentMs)
    {
        public readonly ulong Seq = seq;
        public readonly T Message = message;
        public readonly long FirstSentMs = firstSentMs;
        public long LastSentMs = firstSentMs;
    }

    private readonly LinkedList<Entry> _unacked = new();
    private readonly int _capacity;
    private readonly long _resendIntervalMs, _giveUpAfterMs;
    private ulong _nextSeq = 1;

    public AckedSendBuffer(int capacity, TimeSpan resendInterval, TimeSpan giveUpAfter)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        _capacity = capacity;
        _resendIntervalMs = (long)resendInterval.TotalMilliseconds;
        _giveUpAfterMs = (long)giveUpAfter.TotalMilliseconds;
    }

    public int Count => _unacked.Count;
    /// <summary>Highest seq acked so far (0 = none).</summary>
    public ulong CumulativeAcked { get; private set; }
    public string? QuarantineReason { get; private set; }

    /// <summary>
    /// Numbers <paramref name="message"/> and holds it. Returns <see cref="SendDecision.Quarantine"/>
    /// (and does not buffer) when the bound is reached.
    /// </summary>
    public SendDecision Buffer(T message, long nowMs, out Sequenced<T> numbered)
    {
        if (_unacked.Count >= _capacity)
        {
            numbered = default;
            QuarantineReason = $"system message buffer full ({_capacity} unacked)";
            return SendDecision.Quarantine;
        }
        var e = new Entry(_nextSeq++, message, nowMs);
        _unacked.AddLast(e);
        numbered = new Sequenced<T>(e.Seq, message);
        return SendDecision.Send;
    }

    /// <summary>
    /// Applies an ack: drops everything up to the cumulative seq, returns nacked messages to
    /// resend now. Stale or out-of-range acks are harmless.
    /// </summary>
    public IReadOnlyList<Sequenced<T>> Acknowledge(Ack ack, long nowMs)
    {
        if (ack.CumulativeSeq >= _nextSeq) return Array.Empty<Sequenced<T>>(); // ack from the future: not ours (old incarnation)
        if (ack.CumulativeSeq > CumulativeAcked) CumulativeAcked = ack.CumulativeSeq;
        while (_unacked.First is { } first && first.Value.Seq <= CumulativeAcked) _unacked.RemoveFirst();
        if (ack.Nacks.Count == 0) return Array.Empty<Sequenced<T>>();
        var resend = new List<Sequenced<T>>();
        foreach (var e in _unacked)
        {
            if (!Contains(ack.Nacks, e.Seq)) continue;
            e.LastSentMs = nowMs;
            resend.Add(new Sequenced<T>(e.Seq, e.Message));
        }
        return resend;
    }

    /// <summary>
    /// Timer tick: the messages whose last send is at least one resend interval old (to send
    /// again, in seq order), or Quarantine when the oldest has been unacked longer than give-up.
    /// </summary>
    public SendDecision Tick(long nowMs, out IReadOnlyList<Sequenced<T>> resend)
    {
        resend = Array.Empty<Sequenced<T>>();
        if (_unacked.First is { } oldest && nowMs - oldest.Value.FirstSentMs >= _giveUpAfterMs)
        {
            QuarantineReason = $"system message {oldest.Value.Seq} unacked for {nowMs - oldest.Value.FirstSentMs} ms";
            return SendDecision.Quarantine;
        }
        List<Sequenced<T>>? due = null;
        foreach (var e in _unacked)
        {
            if (nowMs - e.LastSentMs < _resendIntervalMs) continue;
            e.LastSentMs = nowMs;
            (due ??= new()).Add(new Sequenced<T>(e.Seq, e.Message));
        }
        if (due is not null) resend = due;
        return SendDecision.Send;
    }

    private static bool Contains(IReadOnlyList<ulong> list, ulong seq)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == seq) return true;
        return false;
    }
}
