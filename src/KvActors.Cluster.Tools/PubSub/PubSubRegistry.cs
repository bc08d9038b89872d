using System.Collections.Immutable;
using KvActors.Actor;

namespace KvActors.Cluster.Tools.PubSub;

/// <summary>One registration: the path of the registered actor, or null once removed (a tombstone, so the removal gossips too).</summary>
public sealed record ValueHolder(long Version, string? Ref);

/// <summary>
/// One node's registrations. Only the owner changes its bucket; every change gets the next
/// version, so a peer with a lower version for the owner knows it misses news.
/// </summary>
public sealed record Bucket(Address Owner, long Version, ImmutableDictionary<string, ValueHolder> Content)
{
    public static Bucket Empty(Address owner) => new(owner, 0, ImmutableDictionary<string, ValueHolder>.Empty.WithComparers(StringComparer.Ordinal));
}

/// <summary>
/// The distributed pub-sub registry as one node holds it, with no actors or clocks (Akka's
/// DistributedPubSubMediator registry): a versioned bucket per node, where this node writes only
/// its own. Gossip exchanges versions; <see cref="Delta"/> says what a peer misses and
/// <see cref="Merge"/> takes it in. Versions start from the wall clock (passed in) so a node
/// restarted on the same address still counts up from above its previous incarnation.
/// </summary>
public sealed class PubSubRegistry
{
    private readonly Dictionary<Address, Bucket> _buckets = [];

    public PubSubRegistry(Address self)
    {
        Self = self;
        _buckets[self] = Bucket.Empty(self);
    }

    public Address Self { get; }

    public IReadOnlyDictionary<Address, Bucket> Buckets => _buckets;

    public Bucket OwnBucket => _buckets[Self];

    /// <summary>Registers <paramref name="refPath"/> under <paramref name="key"/> in our bucket; null removes it (tombstone).</summary>
    public void Put(string key, string? refPath, long nowMs)
    {
        var own = OwnBucket;
        if (refPath is null && !(own.Content.TryGetValue(key, out var existing) && existing.Ref is not null)) return; // nothing to remove
        var version = Math.Max(own.Version + 1, nowMs);
        _buckets[Self] = own with { Version = version, Content = own.Content.SetItem(key, new ValueHolder(version, refPath)) };
    }

    /// <summary>Every owner's version as we know it (what a gossip status carries).</summary>
    public IReadOnlyDictionary<Address, long> Versions => _buckets.ToDictionary(kv => kv.Key, kv => kv.Value.Version);

    /// <summary>
    /// What a peer with <paramref name="theirVersions"/> misses: for each bucket where we know
    /// more, the entries newer than its version. At most <paramref name="maxElements"/> entries in
    /// all; a bucket cut short carries the version of its last entry sent, so the rest follows
    /// in the next round.
    /// </summary>
    public IReadOnlyList<Bucket> Delta(IReadOnlyDictionary<Address, long> theirVersions, int maxElements = int.MaxValue)
    {
        var result = new List<Bucket>();
        var budget = maxElements;
        foreach (var bucket in _buckets.Values.OrderBy(b => b.Owner.ToString(), StringComparer.Ordinal))
        {
            var theirs = theirVersions.TryGetValue(bucket.Owner, out var v) ? v : 0;
            if (bucket.Version <= theirs) continue;
            if (budget <= 0) break;
            var newer = bucket.Content.Where(e => e.Value.Version > theirs).OrderBy(e => e.Value.Version).ToList();
            if (newer.Count > budget)
            {
                newer = newer.Take(budget).ToList();
                result.Add(new Bucket(bucket.Owner, newer[^1].Value.Version, Content(newer)));
            }
            else
            {
                result.Add(bucket with { Content = Content(newer) });
            }
            budget -= newer.Count;
        }
        return result;
    }

    /// <summary>Whether the peer knows a newer version of some bucket than we do (then we ask it for a delta).</summary>
    public bool OtherHasNewerVersions(IReadOnlyDictionary<Address, long> theirVersions) =>
        theirVersions.Any(kv => !kv.Key.Equals(Self) && kv.Value > (_buckets.TryGetValue(kv.Key, out var b) ? b.Version : 0));

    /// <summary>
    /// Takes in a delta. Our own bucket is ours alone; buckets of owners <paramref name="isMember"/>
    /// rejects (removed or unknown nodes) are ignored, so a removed node's bucket cannot come back.
    /// </summary>
    /// <returns>true when something changed.</returns>
    public bool Merge(IEnumerable<Bucket> delta, Func<Address, bool> isMember)
    {
        var changed = false;
        foreach (var b in delta)
        {
            if (b.Owner.Equals(Self) || !isMember(b.Owner)) continue;
            var mine = _buckets.TryGetValue(b.Owner, out var existing) ? existing : Bucket.Empty(b.Owner);
            if (b.Version <= mine.Version) continue;
            _buckets[b.Owner] = new Bucket(b.Owner, b.Version, mine.Content.SetItems(b.Content));
            changed = true;
        }
        return changed;
    }

    /// <summary>Drops the bucket of a removed node.</summary>
    public bool RemoveOwner(Address owner) => !owner.Equals(Self) && _buckets.Remove(owner);

    /// <summary>The live registrations under <paramref name="key"/>, one per node at most.</summary>
    public IEnumerable<(Address Owner, string Ref)> Lookup(string key)
    {
        foreach (var b in _buckets.Values)
            if (b.Content.TryGetValue(key, out var v) && v.Ref is not null)
                yield return (b.Owner, v.Ref);
    }

    /// <summary>Live registrations in all buckets.</summary>
    public int Count => _buckets.Values.Sum(b => b.Content.Values.Count(v => v.Ref is not null));

    /// <summary>Keys with at least one live registration.</summary>
    public IEnumerable<string> LiveKeys =>
        _buckets.Values.SelectMany(b => b.Content.Where(e => e.Value.Ref is not null).Select(e => e.Key)).Distinct();

    /// <summary>Forgets tombstones older than <paramref name="olderThanVersion"/> in our bucket (their removal has long been gossiped).</summary>
    public void PruneOwnTombstones(long olderThanVersion)
    {
        var own = OwnBucket;
        var dead = own.Content.Where(e => e.Value.Ref is null && e.Value.Version < olderThanVersion).Select(e => e.Key).ToList();
        if (dead.Count > 0) _buckets[Self] = own with { Content = own.Content.RemoveRange(dead) };
    }

    private static ImmutableDictionary<string, ValueHolder> Content(IEnumerable<KeyValuePair<string, ValueHolder>> entries) =>
        ImmutableDictionary.CreateRange(StringComparer.Ordinal, entries);
}
