using System.Text;

namespace KvActors.Storage.Format;

/// <summary>
/// Recognises a file of ours written in another version of its format (same magic family, other version number), so
/// the engine refuses it in one sentence instead of calling it corrupt (which would invite repair = on to delete it).
/// </summary>
internal static class FormatVersion
{
    /// <summary>
    /// The error for a file whose first bytes carry <paramref name="family"/> but not <paramref name="current"/>; null
    /// when it is the current format or not recognisably ours.
    /// </summary>
    public static StorageException? Check(ReadOnlySpan<byte> head, ReadOnlySpan<byte> family, ReadOnlySpan<byte> current, string what, string path)
    {
        if (head.Length < current.Length || !head.StartsWith(family) || head[..current.Length].SequenceEqual(current)) return null;
        var found = Encoding.ASCII.GetString(head[..current.Length]);
        var expected = Encoding.ASCII.GetString(current);
        var newer = string.CompareOrdinal(found, expected) > 0;
        var advice = newer
            ? "a newer version of KvActors, so open it with that version"
            : "an older version of KvActors, so move it aside and start the node with an empty one (it then recovers its partitions from the replicas)";
        return new StorageException(StorageErrorKind.UnsupportedFormat,
            $"{what} {path} is in on-disk format {found}, not {expected}: the data directory was written by {advice}.")
        { File = path, Offset = 0 };
    }
}
