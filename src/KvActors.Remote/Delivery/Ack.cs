namespace KvActors.Remote.Delivery;

/// <summary>
/// A receiver's acknowledgement: every seq &lt;= <see cref="CumulativeSeq"/> arrived; <see cref="Nacks"/>
/// are gaps above it that should be resent now (mirrors the AckNack proto).
/// </summary>
public sealed record Ack(ulong CumulativeSeq, IReadOnlyList<ulong> Nacks)
{
    public static Ack Cumulative(ulong seq) => new(seq, Array.Empty<ulong>());
}

/// <summary>A message with its delivery sequence number (1, 2, 3, ... per sender incarnation).</summary>
public readonly record struct Sequenced<T>(ulong Seq, T Message);
