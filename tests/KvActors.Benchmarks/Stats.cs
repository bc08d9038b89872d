using System.Diagnostics;
using System.Globalization;

namespace KvActors.Benchmarks;

/// <summary>Small helpers every suite shares: command-line options, timing, order statistics.</summary>
public static class Stats
{
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        if (p == 50 && sorted.Length % 2 == 0) return (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Join(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)));

    /// <summary>`--name N` as a positive integer, else <paramref name="fallback"/>.</summary>
    public static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0) return v;
        throw new UsageException($"{name} needs a positive whole number.");
    }

    /// <summary>`--name 90s|2m|1h|1.5m` (a bare number means minutes), else <paramref name="fallback"/>.</summary>
    public static TimeSpan DurationOption(string[] args, string name, TimeSpan fallback)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        var text = i + 1 < args.Length ? args[i + 1].Trim().ToLowerInvariant() : "";
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 'm');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0 || "smh".IndexOf(unit) < 0)
            throw new UsageException($"{name} needs a duration such as 90s, 2m or 1h, not '{text}'.");
        return unit switch { 's' => TimeSpan.FromSeconds(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromMinutes(n) };
    }
}

/// <summary>A bad benchmark option: one sentence to stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
