using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace KvActors.Store.Configuration;

/// <summary>
/// Refuses `kvactors.*` keys that reference.conf does not define: a typo must not silently become
/// a default. Akka's own `akka.*` keys are left to Akka (it ignores unknown ones by design).
/// </summary>
public static class KnownKeys
{
    public const string Root = "kvactors";

    /// <summary>Throws a <see cref="ConfigException"/> for the first unknown key, suggesting the nearest known one.</summary>
    public static void Check(LayeredConfig layered, Config reference)
    {
        var known = LeafPaths(reference, Root).ToHashSet(StringComparer.Ordinal);
        // Objects whose children are free-form would be listed here; kvactors has none yet.
        foreach (var layer in layered.Layers)
        {
            foreach (var key in LeafPaths(layer.Config, Root))
            {
                if (known.Contains(key)) continue;
                var nearest = Nearest(key, known);
                var hint = nearest is null ? "" : $" did you mean '{nearest}'?";
                throw new ConfigException($"{layer.Source}: unknown setting '{key}';{(hint.Length == 0 ? " see hocon/reference.conf for the known ones." : hint)}");
            }
        }
    }

    /// <summary>Every leaf key under <paramref name="root"/> (lists and strings are leaves).</summary>
    public static IEnumerable<string> LeafPaths(Config config, string root)
    {
        if (config.IsEmpty || !LayeredConfig.SafeHasPath(config, root)) return [];
        var value = config.GetValue(root);
        var paths = new List<string>();
        Walk(value, root, paths);
        return paths;
    }

    private static void Walk(HoconValue value, string path, List<string> paths)
    {
        if (!value.IsObject())
        {
            paths.Add(path);
            return;
        }
        foreach (var (name, child) in value.GetObject().Items) Walk(child, $"{path}.{name}", paths);
    }

    /// <summary>The known key closest in edit distance, if it is close enough to be a plausible typo.</summary>
    internal static string? Nearest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(key, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // A third of the last segment's length, at least 2: "prot" -> "port", not "seeds" -> "roles".
        var lastSegment = key[(key.LastIndexOf('.') + 1)..];
        return bestDistance <= Math.Max(2, lastSegment.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
