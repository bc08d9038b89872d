using System.Globalization;

namespace KvActors.Cli;

/// <summary>Parses --timeout: "5s", "500ms", "1m" or a bare number of seconds.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 1.0)
            : t.EndsWith('s') ? (t[..^1], 1000.0)
            : t.EndsWith('m') ? (t[..^1], 60_000.0)
            : (t, 1000.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && n * unit <= int.MaxValue)
        {
            value = TimeSpan.FromMilliseconds(n * unit);
            return true;
        }
        value = default;
        return false;
    }
}
