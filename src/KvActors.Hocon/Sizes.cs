namespace KvActors.Hocon;

/// <summary>HOCON byte sizes: KiB/MiB/GiB (and K/M/G) are powers of 1024, kB/MB/GB powers of 1000; a bare number is bytes.</summary>
internal static class Sizes
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = Build();

    private static Dictionary<string, decimal> Build()
    {
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal bytes, params string[] names)
        {
            foreach (var n in names) map[n] = bytes;
        }
        Add(1, "", "B", "b", "byte", "bytes");
        Add(1000m, "kB", "kilobyte", "kilobytes");
        Add(1000m * 1000, "MB", "megabyte", "megabytes");
        Add(1000m * 1000 * 1000, "GB", "gigabyte", "gigabytes");
        Add(1000m * 1000 * 1000 * 1000, "TB", "terabyte", "terabytes");
        Add(1024m, "K", "k", "Ki", "KiB", "kibibyte", "kibibytes");
        Add(1024m * 1024, "M", "m", "Mi", "MiB", "mebibyte", "mebibytes");
        Add(1024m * 1024 * 1024, "G", "g", "Gi", "GiB", "gibibyte", "gibibytes");
        Add(1024m * 1024 * 1024 * 1024, "T", "t", "Ti", "TiB", "tebibyte", "tebibytes");
        return map;
    }

    public static bool TryParse(string text, out long value)
    {
        value = 0;
        if (!Units.TrySplit(text, out var number, out var unit) || !BytesPerUnit.TryGetValue(unit, out var factor)) return false;
        try
        {
            var bytes = number * factor;
            if (bytes != decimal.Truncate(bytes) || bytes > long.MaxValue || bytes < long.MinValue) return false;
            value = (long)bytes;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
