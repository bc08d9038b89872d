using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// A vector clock over string node ids (see <see cref="NodeId"/>): a counter per node that
/// versioned the gossip. Immutable; equality is by entries.
/// </summary>
public sealed class VectorClock : IEquatable<VectorClock>
{
    public enum Ordering { Same, Before, After, Concurrent }

    public static VectorClock Empty { get; } = new(ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal));

    public ImmutableSortedDictionary<string, long> Versions { get; }

    private VectorClock(ImmutableSortedDictionary<string, long> versions) => Versions = versions;

    /// <summary>Builds a clock from explicit entries (tests, wire formats); entries of 0 or less are dropped.</summary>
    public static VectorClock Create(IEnumerable<KeyValuePair<string, long>> entries) =>
        new(entries.Where(e => e.Value > 0).ToImmutableSortedDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));

    /// <summary>The clock entry name of a member: <c>host:port#uid</c> (system and protocol included for local addresses).</summary>
    public static string NodeId(UniqueAddress node) => $"{node.Address}#{node.Uid}";

    public long this[string node] => Versions.TryGetValue(node, out var v) ? v : 0;

    public VectorClock Increment(string node) => new(Versions.SetItem(node, this[node] + 1));

    public VectorClock Increment(UniqueAddress node) => Increment(NodeId(node));

    /// <summary>Entry-wise maximum.</summary>
    public VectorClock Merge(VectorClock other)
    {
        if (ReferenceEquals(this, other) || other.Versions.Count == 0) return this;
        if (Versions.Count == 0) return other;
        var b = Versions.ToBuilder();
        foreach (var (node, v) in other.Versions)
            if (!b.TryGetValue(node, out var mine) || mine < v) b[node] = v;
        return new VectorClock(b.ToImmutable());
    }

    /// <summary>Forgets a node's entry (after the member is removed).</summary>
    public VectorClock Prune(string node) => Versions.ContainsKey(node) ? new VectorClock(Versions.Remove(node)) : this;

    public VectorClock Prune(UniqueAddress node) => Prune(NodeId(node));

    /// <summary>How this clock relates to <paramref name="other"/>: Before = this happened before other.</summary>
    public Ordering Compare(VectorClock other)
    {
        if (ReferenceEquals(this, other)) return Ordering.Same;
        bool thisBigger = false, otherBigger = false;
        foreach (var (node, v) in Versions)
        {
            var o = other[node];
            if (v > o) thisBigger = true;
            else if (v < o) otherBigger = true;
        }
        foreach (var (node, o) in other.Versions)
            if (!Versions.ContainsKey(node) && o > 0) otherBigger = true;
        return (thisBigger, otherBigger) switch
        {
            (false, false) => Ordering.Same,
            (true, false) => Ordering.After,
            (false, true) => Ordering.Before,
            _ => Ordering.Concurrent,
        };
    }

    public bool IsBefore(VectorClock other) => Compare(other) == Ordering.Before;
    public bool IsAfter(VectorClock other) => Compare(other) == Ordering.After;
    public bool IsConcurrentWith(VectorClock other) => Compare(other) == Ordering.Concurrent;

    public bool Equals(VectorClock? other) => other is not null && Compare(other) == Ordering.Same;
    public override bool Equals(object? obj) => Equals(obj as VectorClock);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var (node, v) in Versions) { h.Add(node); h.Add(v); }
        return h.ToHashCode();
    }

    public override string ToString() => "VectorClock(" + string.Join(", ", Versions.Select(e => $"{e.Key} -> {e.Value}")) + ")";
}
