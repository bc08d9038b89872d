namespace KvActors.Storage;

/// <summary>What a log record does to its partition. The byte values are on disk: never renumber.</summary>
public enum OperationKind : byte
{
    Put = 1,
    Delete = 2,
    /// <summary>The node gave the partition up: everything logged for it before this record is void.</summary>
    Drop = 3,
}
