using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// Who sees whom as unreachable: a table of (observer, subject, status) records plus a version per
/// observer that only that observer increments. Missing record = Reachable. An observer's rows are
/// dropped once all of them are Reachable again (its version stays, so merges see the change).
/// Immutable; equality is by versions and records.
/// </summary>
public sealed class Reachability : IEquatable<Reachability>
{
    public enum ReachabilityStatus { Reachable, Unreachable, Terminated }

    public sealed record Record(UniqueAddress Observer, UniqueAddress Subject, ReachabilityStatus Status, long Version);

    private static readonly ImmutableSortedDictionary<UniqueAddress, ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus>> NoRows =
        ImmutableSortedDictionary.Create<UniqueAddress, ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus>>();
    private static readonly ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus> NoSubjects =
        ImmutableSortedDictionary.Create<UniqueAddress, ReachabilityStatus>();

    public static Reachability Empty { get; } = new(NoRows, ImmutableSortedDictionary.Create<UniqueAddress, long>());

    private readonly ImmutableSortedDictionary<UniqueAddress, ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus>> _rows;

    /// <summary>Each observer's version: how many changes it has made.</summary>
    public ImmutableSortedDictionary<UniqueAddress, long> Versions { get; }

    private Reachability(
        ImmutableSortedDictionary<UniqueAddress, ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus>> rows,
        ImmutableSortedDictionary<UniqueAddress, long> versions)
    {
        _rows = rows;
        Versions = versions;
    }

    public IReadOnlyList<Record> Records =>
        _rows.SelectMany(o => o.Value.Select(s => new Record(o.Key, s.Key, s.Value, Versions[o.Key]))).ToList();

    public bool IsAllReachable => _rows.IsEmpty;

    public long VersionOf(UniqueAddress observer) => Versions.TryGetValue(observer, out var v) ? v : 0;

    public Reachability Unreachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, ReachabilityStatus.Unreachable);
    public Reachability Reachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, ReachabilityStatus.Reachable);
    public Reachability Terminated(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, ReachabilityStatus.Terminated);

    private Reachability Change(UniqueAddress observer, UniqueAddress subject, ReachabilityStatus status)
    {
        var current = Status(observer, subject);
        if (current == status || current == ReachabilityStatus.Terminated) return this; // Terminated is final
        var version = VersionOf(observer) + 1;
        var rows = _rows.TryGetValue(observer, out var r) ? r : NoSubjects;
        rows = rows.SetItem(subject, status);
        var newRows = rows.Values.All(s => s == ReachabilityStatus.Reachable) ? _rows.Remove(observer) : _rows.SetItem(observer, rows);
        return new Reachability(newRows, Versions.SetItem(observer, version));
    }

    /// <summary>What <paramref name="observer"/> recorded about <paramref name="subject"/>.</summary>
    public ReachabilityStatus Status(UniqueAddress observer, UniqueAddress subject) =>
        _rows.TryGetValue(observer, out var r) && r.TryGetValue(subject, out var s) ? s : ReachabilityStatus.Reachable;

    /// <summary>The aggregate over all observers: Terminated beats Unreachable beats Reachable.</summary>
    public ReachabilityStatus Status(UniqueAddress subject)
    {
        var result = ReachabilityStatus.Reachable;
        foreach (var rows in _rows.Values)
            if (rows.TryGetValue(subject, out var s) && s > result) result = s;
        return result;
    }

    /// <summary>True when no observer records <paramref name="subject"/> as Unreachable or Terminated.</summary>
    public bool IsReachable(UniqueAddress subject) => Status(subject) == ReachabilityStatus.Reachable;

    public bool IsReachable(UniqueAddress observer, UniqueAddress subject) => Status(observer, subject) == ReachabilityStatus.Reachable;

    /// <summary>Subjects that some observer records as Unreachable and none as Terminated.</summary>
    public IReadOnlySet<UniqueAddress> AllUnreachable =>
        _rows.Values.SelectMany(r => r.Keys).Where(s => Status(s) == ReachabilityStatus.Unreachable).ToImmutableSortedSet();

    /// <summary>Subjects that some observer records as Unreachable or Terminated.</summary>
    public IReadOnlySet<UniqueAddress> AllUnreachableOrTerminated =>
        _rows.Values.SelectMany(r => r.Where(e => e.Value != ReachabilityStatus.Reachable).Select(e => e.Key)).ToImmutableSortedSet();

    /// <summary>Subjects <paramref name="observer"/> records as Unreachable.</summary>
    public IReadOnlySet<UniqueAddress> AllUnreachableFrom(UniqueAddress observer) =>
        _rows.TryGetValue(observer, out var r)
            ? r.Where(e => e.Value == ReachabilityStatus.Unreachable).Select(e => e.Key).ToImmutableSortedSet()
            : ImmutableSortedSet<UniqueAddress>.Empty;

    /// <summary>Observers that hold at least one Unreachable or Terminated record.</summary>
    public IReadOnlySet<UniqueAddress> AllObservers => _rows.Keys.ToImmutableSortedSet();

    /// <summary>Each Unreachable subject with the observers that record it so.</summary>
    public IReadOnlyDictionary<UniqueAddress, IReadOnlySet<UniqueAddress>> ObserversGroupedByUnreachable =>
        _rows.SelectMany(o => o.Value.Where(s => s.Value == ReachabilityStatus.Unreachable).Select(s => (Observer: o.Key, Subject: s.Key)))
            .GroupBy(x => x.Subject)
            .ToImmutableSortedDictionary(g => g.Key, g => (IReadOnlySet<UniqueAddress>)g.Select(x => x.Observer).ToImmutableSortedSet());

    /// <summary>
    /// Joins two views: per observer the higher version wins (equal versions take, per subject, the
    /// worse status, which makes the merge commutative, associative and idempotent); observers and
    /// subjects outside <paramref name="allowed"/> (the merged members) are dropped.
    /// </summary>
    public Reachability Merge(IEnumerable<UniqueAddress> allowed, Reachability other)
    {
        var allowedSet = allowed as IReadOnlySet<UniqueAddress> ?? allowed.ToHashSet();
        var rows = NoRows.ToBuilder();
        var versions = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, long>();
        foreach (var observer in Versions.Keys.Concat(other.Versions.Keys).Distinct())
        {
            if (!allowedSet.Contains(observer)) continue;
            var va = VersionOf(observer);
            var vb = other.VersionOf(observer);
            versions[observer] = Math.Max(va, vb);
            var ra = _rows.TryGetValue(observer, out var x) ? x : NoSubjects;
            var rb = other._rows.TryGetValue(observer, out var y) ? y : NoSubjects;
            ImmutableSortedDictionary<UniqueAddress, ReachabilityStatus> chosen;
            if (va > vb) chosen = ra;
            else if (vb > va) chosen = rb;
            else
            {
                var b = ra.ToBuilder();
                foreach (var (s, st) in rb)
                    if (!b.TryGetValue(s, out var mine) || st > mine) b[s] = st;
                chosen = b.ToImmutable();
            }
            chosen = chosen.RemoveRange(chosen.Keys.Where(s => !allowedSet.Contains(s)).ToList());
            if (chosen.Values.Any(s => s != ReachabilityStatus.Reachable)) rows[observer] = chosen;
        }
        return new Reachability(rows.ToImmutable(), versions.ToImmutable());
    }

    /// <summary>Forgets <paramref name="nodes"/> both as observers and as subjects.</summary>
    public Reachability Remove(IEnumerable<UniqueAddress> nodes)
    {
        var set = nodes.ToHashSet();
        if (set.Count == 0) return this;
        var rows = NoRows.ToBuilder();
        foreach (var (observer, r) in _rows)
        {
            if (set.Contains(observer)) continue;
            var kept = r.RemoveRange(set);
            if (kept.Values.Any(s => s != ReachabilityStatus.Reachable)) rows[observer] = kept;
        }
        return new Reachability(rows.ToImmutable(), Versions.RemoveRange(set));
    }

    /// <summary>Forgets what <paramref name="nodes"/> observed (e.g. downed observers).</summary>
    public Reachability RemoveObservers(IEnumerable<UniqueAddress> nodes)
    {
        var set = nodes.ToHashSet();
        if (set.Count == 0 || !set.Overlaps(Versions.Keys)) return this;
        return new Reachability(_rows.RemoveRange(set), Versions.RemoveRange(set));
    }

    /// <summary>Keeps only the records <paramref name="keep"/> accepts (versions unchanged): a view for analysis, not for gossip.</summary>
    public Reachability FilterRecords(Func<Record, bool> keep)
    {
        var rows = NoRows.ToBuilder();
        foreach (var (observer, r) in _rows)
        {
            var v = Versions[observer];
            var kept = r.Where(e => keep(new Record(observer, e.Key, e.Value, v))).ToImmutableSortedDictionary();
            if (kept.Values.Any(s => s != ReachabilityStatus.Reachable)) rows[observer] = kept;
        }
        return new Reachability(rows.ToImmutable(), Versions);
    }

    public bool Equals(Reachability? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Versions.Count != other.Versions.Count || _rows.Count != other._rows.Count) return false;
        foreach (var (o, v) in Versions)
            if (other.VersionOf(o) != v) return false;
        foreach (var (o, r) in _rows)
        {
            if (!other._rows.TryGetValue(o, out var r2) || r.Count != r2.Count) return false;
            foreach (var (s, st) in r)
                if (!r2.TryGetValue(s, out var st2) || st2 != st) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as Reachability);
    public override int GetHashCode() => HashCode.Combine(Versions.Count, _rows.Count);

    public override string ToString() =>
        "Reachability(" + string.Join(", ", Records.Select(r => $"{r.Observer.Uid}->{r.Subject.Uid}:{r.Status}@{r.Version}")) + ")";
}
