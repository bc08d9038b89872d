namespace KvActors.Storage;

/// <summary>
/// What a replica must not forget about a partition across a crash besides its records: the highest epoch it adopted
/// (so the epoch never goes back) and its commit point (records at or below it are committed; the ones after it are a
/// prepared tail that may still be truncated). Both only grow; recovery returns the highest of each that was recorded.
/// </summary>
public readonly record struct ReplicaMark(long Epoch, long CommitPoint)
{
    public static ReplicaMark None => default;

    /// <summary>The higher epoch and the higher commit point of the two.</summary>
    public ReplicaMark Max(ReplicaMark other) => new(Math.Max(Epoch, other.Epoch), Math.Max(CommitPoint, other.CommitPoint));
}
