namespace KvActors.Remote.Delivery;

/// <summary>
/// The receiver half of reliable delivery (Akka's AckedReceiveBuffer): delivers messages in seq
/// order exactly once, drops duplicates, holds early arrivals (bounded) until the gap fills,
/// and produces the ack to send back. Pure: no clocks, no threads.
/// </summary>
public sealed class AckedReceiveBuffer<T>
{
    private readonly SortedDictionary<ulong, T> _early = new();
    private readonly int _capacity;

    public AckedReceiveBuffer(int capacity)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        _capacity = capacity;
    }

    /// <summary>Highest seq delivered in order (0 = none).</summary>
    public ulong LastDelivered { get; private set; }
    public int BufferedCount => _early.Count;

    /// <summary>
    /// Accepts one arrival. Returns the messages now deliverable, in order (possibly none), and
    /// sets <paramref name="ack"/> to the ack to send (always: duplicates must be re-acked, since
    /// the sender resent because our previous ack was lost).
    /// </summary>
    public IReadOnlyList<T> Receive(Sequenced<T> arrival, out Ack ack)
    {
        IReadOnlyList<T> deliver = Array.Empty<T>();
        if (arrival.Seq == LastDelivered + 1)
        {
            var list = new List<T> { arrival.Message };
            LastDelivered++;
            while (_early.Remove(LastDelivered + 1, out var next))
            {
                list.Add(next);
                LastDelivered++;
            }
            deliver = list;
        }
        else if (arrival.Seq > LastDelivered + 1 && (_early.Count < _capacity || _early.ContainsKey(arrival.Seq)))
        {
            // Early: hold it. When the hold is full it is dropped; the sender resends it later.
            _early[arrival.Seq] = arrival.Message;
        }
        // else: duplicate of something delivered, ignore.
        ack = CurrentAck();
        return deliver;
    }

    /// <summary>Cumulative ack plus the gaps below the highest held seq.</summary>
    public Ack CurrentAck()
    {
        if (_early.Count == 0) return Ack.Cumulative(LastDelivered);
        var nacks = new List<ulong>();
        var expected = LastDelivered + 1;
        foreach (var seq in _early.Keys)
        {
            for (var s = expected; s < seq && nacks.Count < 1000; s++) nacks.Add(s);
            expected = seq + 1;
        }
        return new Ack(LastDelivered, nacks);
    }
}
