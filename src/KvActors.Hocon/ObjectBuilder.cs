namespace KvActors.Hocon;

/// <summary>
/// HOCON's rules for a key assigned more than once, applied while the tree is built: objects merge,
/// anything else replaces, and when substitutions make the outcome unknown the assignments are kept
/// as a <see cref="HoconDelayedMerge"/> for the resolver.
/// </summary>
internal static class ObjectBuilder
{
    /// <summary>Assigns <paramref name="value"/> at the (relative) path inside <paramref name="target"/>.</summary>
    public static void Set(HoconObject target, IReadOnlyList<string> path, HoconValue value)
    {
        var current = target;
        for (var i = 0; i < path.Count - 1; i++) current = ChildObjectForWrite(current, path[i], value.Position);
        var last = path[^1];
        current.Fields[last] = current.Fields.TryGetValue(last, out var earlier) ? Combine(earlier, value) : value;
    }

    /// <summary>The outcome of assigning <paramref name="later"/> to a key that already holds <paramref name="earlier"/>.</summary>
    public static HoconValue Combine(HoconValue earlier, HoconValue later)
    {
        if (later is HoconScalar or HoconArray) return later;
        if (later is HoconObject laterObject)
        {
            if (earlier is HoconObject earlierObject)
            {
                MergeInto(earlierObject, laterObject);
                return earlierObject;
            }
            if (earlier is HoconScalar or HoconArray) return later;
        }
        return Delay(earlier, later);
    }

    private static void MergeInto(HoconObject into, HoconObject from)
    {
        foreach (var (key, value) in from.Fields)
        {
            into.Fields[key] = into.Fields.TryGetValue(key, out var earlier) ? Combine(earlier, value) : value;
        }
    }

    private static HoconDelayedMerge Delay(HoconValue earlier, HoconValue later)
    {
        // Always a new node: the earlier one may have been captured by a self-reference.
        var layers = earlier is HoconDelayedMerge merge ? new List<HoconValue>(merge.Layers) : new List<HoconValue> { earlier };
        layers.Add(later);
        return new HoconDelayedMerge(earlier.Position, layers);
    }

    // The object to write `key.rest = ...` into; creates or replaces as HOCON's merge rules say.
    private static HoconObject ChildObjectForWrite(HoconObject parent, string key, SourcePosition position)
    {
        if (parent.Fields.TryGetValue(key, out var existing))
        {
            switch (existing)
            {
                case HoconObject o:
                    return o;
                case HoconDelayedMerge { Layers: [.., HoconObject lastLayer] }:
                    return lastLayer;
                case HoconScalar or HoconArray:
                    break; // a non-object is replaced by the object
                default:
                    var layer = new HoconObject(position);
                    parent.Fields[key] = Delay(existing, layer);
                    return layer;
            }
        }
        var created = new HoconObject(position);
        parent.Fields[key] = created;
        return created;
    }
}
