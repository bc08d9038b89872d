using System.Globalization;

namespace KvActors.Store.Partitioning;

/// <summary>Partition numbers (or any) as people read them: runs in order, "0-3, 7, 9-15", each number once.</summary>
public static class NumberRuns
{
    public static string Of(IEnumerable<int> numbers)
    {
        var sorted = numbers.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? Text(sorted[i]) : $"{Text(sorted[i])}-{Text(sorted[j])}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
