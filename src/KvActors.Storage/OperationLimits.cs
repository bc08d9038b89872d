namespace KvActors.Storage;

/// <summary>Refuses an oversize key or value before it reaches the log, with the setting to change in the message.</summary>
internal static class OperationLimits
{
    public static StorageException? Check(in StorageOperation operation, int maxKeySize, int maxValueSize)
    {
        if (operation.Kind is not (OperationKind.Put or OperationKind.Delete))
            throw new ArgumentException($"Only Put and Delete can be appended, not {operation.Kind}; use DropPartitionAsync to drop a partition.");
        if (operation.Key.Length > maxKeySize)
            return new StorageException(StorageErrorKind.KeyTooLarge,
                $"A key of {Sizes.Describe(operation.Key.Length)} exceeds {StorageSettings.Section}.max-key-size ({Sizes.Describe(maxKeySize)}).");
        if (operation.Value.Length > maxValueSize)
            return new StorageException(StorageErrorKind.ValueTooLarge,
                $"A value of {Sizes.Describe(operation.Value.Length)} exceeds {StorageSettings.Section}.max-value-size ({Sizes.Describe(maxValueSize)}).");
        return null;
    }
}
