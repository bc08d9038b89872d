namespace KvActors.Store.Partitioning;

/// <summary>
/// The outcome of a single-partition ring operation: the ring to publish, or the unchanged ring and
/// the one-sentence reason the operation was refused.
/// </summary>
public sealed record RingChange(RingState Ring, string? Refusal)
{
    public bool IsRefused => Refusal is not null;

    public static RingChange To(RingState ring) => new(ring, null);

    public static RingChange Refused(RingState ring, string reason) => new(ring, reason);
}
