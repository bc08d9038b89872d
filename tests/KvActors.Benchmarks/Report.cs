using System.Globalization;

namespace KvActors.Benchmarks;

/// <summary>Prints one figure per line as `name: value unit`, the format every suite uses.</summary>
public static class Report
{
    /// <param name="target">When given, printed after the figure in parentheses, e.g. "target <= 5,000 ms".</param>
    public static void Figure(string name, double value, string unit, string? target = null)
    {
        var text = double.IsNaN(value) ? "NaN"
            : value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
        Console.WriteLine(target is null ? $"{name}: {text} {unit}" : $"{name}: {text} {unit} ({target})");
    }

    /// <summary>A comment line (`# ...`): context for a reader, ignored by anything that parses figures.</summary>
    public static void Note(string text) => Console.WriteLine($"# {text}");
}
