namespace KvActors.Hocon;

/// <summary>
/// Replaces substitutions, concatenations and delayed merges by plain values, looking substitutions
/// up in the whole root (so forward references work). Each node is resolved once; a node met again
/// while it is still being resolved is a cycle. Undefined results (an unset <c>${?x}</c>) are null.
/// </summary>
internal sealed class Resolver
{
    private const int MaxDepth = 400;

    private readonly HoconObject _root;
    private readonly Dictionary<HoconValue, HoconValue?> _done = new(ReferenceEqualityComparer.Instance);
    // Nodes being resolved, with the index of their path in _chain, to report cycles.
    private readonly Dictionary<HoconValue, int> _inProgress = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _chain = new();

    private Resolver(HoconObject root) => _root = root;

    public static HoconObject Resolve(HoconObject root) =>
        (HoconObject)(new Resolver(root).ResolveValue(root, Array.Empty<string>(), null)
            ?? new HoconObject(root.Position, resolved: true));

    // `from` is the substitution that led here (for the cycle message's position), null on the tree walk.
    private HoconValue? ResolveValue(HoconValue value, IReadOnlyList<string> path, HoconSubstitution? from)
    {
        switch (value)
        {
            case HoconScalar:
            case HoconObject { IsResolved: true }:
            case HoconArray { IsResolved: true }:
                return value;
        }
        if (_done.TryGetValue(value, out var done)) return done;
        var rendered = HoconPath.Render(path);
        if (_inProgress.TryGetValue(value, out var start))
        {
            var cycle = _chain.Skip(start).Append(rendered);
            throw new HoconException(from?.Position ?? value.Position, "substitution cycle: " + string.Join(" -> ", cycle));
        }
        if (_inProgress.Count >= MaxDepth)
            throw new HoconException(from?.Position ?? value.Position, $"substitutions nested deeper than {MaxDepth} levels");

        _inProgress[value] = _chain.Count;
        _chain.Add(rendered);
        try
        {
            var result = value switch
            {
                HoconObject o => ResolveObject(o, path),
                HoconArray a => ResolveArray(a, path),
                HoconSubstitution s => Lookup(s),
                HoconPriorValue p => ResolvePrior(p, path),
                HoconConcatenation c => ResolveConcatenation(c, path),
                HoconDelayedMerge m => ResolveDelayedMerge(m, path),
                _ => throw new HoconException(value.Position, "internal error: unknown value kind"),
            };
            _done[value] = result;
            return result;
        }
        finally
        {
            _inProgress.Remove(value);
            _chain.RemoveAt(_chain.Count - 1);
        }
    }

    private HoconObject ResolveObject(HoconObject o, IReadOnlyList<string> path)
    {
        var result = new HoconObject(o.Position, resolved: true);
        foreach (var (key, child) in o.Fields)
        {
            var resolved = ResolveValue(child, Append(path, key), null);
            if (resolved != null) result.Fields[key] = resolved; // an unset ${?x} leaves the key unset
        }
        return result;
    }

    private HoconArray ResolveArray(HoconArray a, IReadOnlyList<string> path)
    {
        var items = new List<HoconValue>(a.Items.Count);
        foreach (var item in a.Items)
        {
            var resolved = ResolveValue(item, path, null);
            if (resolved != null) items.Add(resolved);
        }
        return new HoconArray(a.Position, items, resolved: true);
    }

    private HoconValue? Lookup(HoconSubstitution s)
    {
        var found = Find(s);
        if (found != null) return found;
        // HOCON falls back to the environment for paths the config does not define.
        var env = GetEnvironmentVariable(s.Expression);
        if (env != null) return new HoconScalar(s.Position, env, ScalarKind.String);
        if (s.Optional) return null;
        throw new HoconException(s.Position, $"unresolved substitution {s.Text}");
    }

    private static string? GetEnvironmentVariable(string name)
    {
        try
        {
            return name.Length == 0 || name.Contains('=') || name.Contains('\0') ? null : Environment.GetEnvironmentVariable(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // Walks the unresolved tree, resolving only what lies on the path.
    private HoconValue? Find(HoconSubstitution s)
    {
        HoconValue current = _root;
        for (var i = 0; i < s.Path.Count; i++)
        {
            var obj = current as HoconObject ?? ResolveValue(current, s.Path.Take(i).ToArray(), s) as HoconObject;
            if (obj == null || !obj.Fields.TryGetValue(s.Path[i], out var child)) return null;
            current = child;
        }
        return ResolveValue(current, s.Path, s);
    }

    private HoconValue? ResolvePrior(HoconPriorValue p, IReadOnlyList<string> path)
    {
        var value = p.Prior == null ? null : ResolveValue(p.Prior, path, p.Reference);
        if (value == null && !p.Reference.Optional)
            throw new HoconException(p.Position, $"unresolved substitution {p.Reference.Text} (the key has no earlier value)");
        return value;
    }

    private HoconValue? ResolveConcatenation(HoconConcatenation c, IReadOnlyList<string> path)
    {
        var values = new List<HoconValue>(c.Parts.Count);
        foreach (var part in c.Parts)
        {
            var resolved = ResolveValue(part, path, null);
            if (resolved != null) values.Add(resolved);
        }
        static bool IsSpace(HoconValue v) => v is HoconScalar { Kind: ScalarKind.Whitespace };
        while (values.Count > 0 && IsSpace(values[^1])) values.RemoveAt(values.Count - 1);
        while (values.Count > 0 && IsSpace(values[0])) values.RemoveAt(0);
        if (values.Count == 0) return null;
        if (values.Count == 1) return values[0];

        var solid = values.Where(v => !IsSpace(v)).ToList();
        if (solid.All(v => v is HoconObject))
        {
            // Later objects win, as with repeated keys.
            var merged = (HoconObject)solid[0];
            foreach (var next in solid.Skip(1)) merged = HoconObject.MergeResolved((HoconObject)next, merged);
            return merged;
        }
        if (solid.All(v => v is HoconArray))
            return new HoconArray(solid[0].Position, solid.SelectMany(v => ((HoconArray)v).Items).ToList(), resolved: true);
        var container = solid.FirstOrDefault(v => v is HoconObject or HoconArray);
        if (container != null)
        {
            var other = solid.First(v => v.GetType() != container.GetType());
            throw new HoconException(c.Position, $"cannot concatenate {container.Describe()} with {(other is HoconScalar ? "a string" : other.Describe())}");
        }
        return new HoconScalar(c.Position, string.Concat(values.Select(v => ((HoconScalar)v).Text)), ScalarKind.String);
    }

    // From the last assignment backwards: a non-object ends it; objects merge with earlier objects.
    private HoconValue? ResolveDelayedMerge(HoconDelayedMerge m, IReadOnlyList<string> path)
    {
        HoconObject? merged = null;
        for (var i = m.Layers.Count - 1; i >= 0; i--)
        {
            var layer = ResolveValue(m.Layers[i], path, null);
            if (layer == null) continue;
            if (layer is not HoconObject obj) return merged ?? layer;
            merged = merged == null ? obj : HoconObject.MergeResolved(merged, obj);
        }
        return merged;
    }

    private static string[] Append(IReadOnlyList<string> path, string key)
    {
        var result = new string[path.Count + 1];
        for (var i = 0; i < path.Count; i++) result[i] = path[i];
        result[^1] = key;
        return result;
    }
}
