namespace KvActors.Hocon;

/// <summary>Reads config files, turning every I/O failure into a <see cref="HoconException"/>.</summary>
internal static class FileText
{
    public static string Read(string fullPath, string display, SourcePosition? includedAt)
    {
        HoconException Fail(string reason) =>
            includedAt is { } at ? new HoconException(at, reason) : new HoconException(reason);

        if (!File.Exists(fullPath))
            throw Fail(includedAt is null ? $"config file '{display}' not found" : $"include file '{display}' not found");
        try
        {
            return File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw Fail($"cannot read '{display}': {e.Message}");
        }
    }
}
