namespace KvActors.Storage;

/// <summary>Refuses an oversize key or value before it reaches the log, with the setting to change in the message.</summary>
internal static class OperationLimits
{
    public static StorageException? Check(in StorageOperation operation, int maxKeySize, int maxValueSize)
    {
        if (operation.Kind is not (OperationKind.Put or OperationKind.Delete or OperationKind.Noop))
            throw new ArgumentException($"Only Put, Delete and Noop can be appended, not {operation.Kind}; use DropPartitionAsync to drop a partition.");
        if (operation.Key.Length > maxKeySize)
            return new StorageException(StorageErrorKind.KeyTooLarge,
                $"A key of {Sizes.Describe(operation.Key.Length)} exceeds {StorageSettings.Section}.max-key-size ({Sizes.Describe(maxKeySize)}).");
        if (operation.Value.Length > maxValueSize)
            return new StorageException(StorageErrorKind.ValueTooLarge,
                $"A value of {Sizes.Describe(operation.Value.Length)} exceeds {StorageSettings.Section}.max-value-size ({Sizes.Describe(maxValueSize)}).");
        if (operation.ExpiresAtMs < 0 || (operation.ExpiresAtMs != 0 && operation.Kind != OperationKind.Put))
            throw new ArgumentException($"Only a Put carries an expiry, and it is a Unix time in ms or 0, not {operation.ExpiresAtMs}.");
        return null;
    }
}
