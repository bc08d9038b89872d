namespace KvActors.Dispatch;

/// <summary>
/// How big a mailbox may grow. Unbounded is the default; a bounded mailbox sends what does not
/// fit to dead letters (as <see cref="Event.Dropped"/>) instead of blocking the sender, so Tell never blocks.
/// </summary>
public sealed record MailboxType(int Capacity)
{
    public static readonly MailboxType Unbounded = new(0);

    /// <summary>
    /// What Props use when none is given: kvactors.actor.default-mailbox.mailbox-capacity decides
    /// (unbounded unless configured). Distinct from an explicit <see cref="Unbounded"/>.
    /// </summary>
    public static readonly MailboxType Default = new(0) { UsesDefaultCapacity = true };

    internal bool UsesDefaultCapacity { get; private init; }
    public static MailboxType Bounded(int capacity) =>
        capacity > 0 ? new MailboxType(capacity) : throw new ArgumentOutOfRangeException(nameof(capacity), "A bounded mailbox needs a capacity above zero.");
    public bool IsBounded => Capacity > 0;
}
