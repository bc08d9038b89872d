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
