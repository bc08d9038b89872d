namespace KvActors.Hocon;

/// <summary>HOCON durations: a number and an optional unit; a bare number is milliseconds.</summary>
internal static class Durations
{
    private static readonly Dictionary<string, decimal> TicksPerUnit = Build();

    private static Dictionary<string, decimal> Build()
    {
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var n in names) map[n] = ticks;
        }
        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(10m, "us", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "", "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return map;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (!Units.TrySplit(text, out var number, out var unit) || !TicksPerUnit.TryGetValue(unit, out var factor)) return false;
        try
        {
            var ticks = decimal.Round(number * factor);
            if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks) return false;
            value = TimeSpan.FromTicks((long)ticks);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
