namespace KvActors.Storage;

/// <summary>What a log record does to its partition. The byte values are on disk: never renumber.</summary>
public enum OperationKind : byte
{
    Put = 1,
    Delete = 2,
    /// <summary>The node gave the partition up: everything logged for it before this record is void.</summary>
    Drop = 3,
    /// <summary>Records of the partition logged before this one with a seq above this record's seq are void.</summary>
    Truncate = 4,
    /// <summary>A <see cref="ReplicaMark"/>: the epoch the replica adopted and its commit point (in the record's seq).</summary>
    Mark = 5,
    /// <summary>Takes a seq and changes nothing: a replicated answer (a failed condition, an error) kept in the tag.</summary>
    Noop = 6,
}
