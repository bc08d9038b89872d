using System.Globalization;

namespace KvActors.Benchmarks;

/// <summary>Prints one figure per line as `name: value unit`, the format every suite uses.</summary>
public static class Report
{
    public static void Figure(string name, double value, string unit)
    {
        var text = value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
        Console.WriteLine($"{name}: {text} {unit}");
    }
}
