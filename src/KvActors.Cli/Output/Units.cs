using System.Globalization;

namespace KvActors.Cli.Output;

/// <summary>Numbers as tables print them for people (JSON keeps the raw numbers).</summary>
public static class Units
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>512 B, 1.5 KiB, 12.3 MiB: one decimal from KiB on, binary units.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + ByteUnits[unit];
    }

    /// <summary>Numbers as runs, in order: 0-3, 7, 9-15 (duplicates once).</summary>
    public static string Ranges(IEnumerable<int> numbers)
    {
        var sorted = numbers.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? Number(sorted[i]) : $"{Number(sorted[i])}-{Number(sorted[j])}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>An elapsed time for people, coarse: 800 ms, 12 s, 3 min 5 s, 2 h 10 min.</summary>
    public static string Elapsed(long ms) => ms switch
    {
        < 1000 => $"{Number(Math.Max(0, ms))} ms",
        < 60_000 => $"{Number(ms / 1000)} s",
        < 3_600_000 => ms % 60_000 < 1000 ? $"{Number(ms / 60_000)} min" : $"{Number(ms / 60_000)} min {Number(ms % 60_000 / 1000)} s",
        _ => $"{Number(ms / 3_600_000)} h {Number(ms % 3_600_000 / 60_000)} min",
    };
}
