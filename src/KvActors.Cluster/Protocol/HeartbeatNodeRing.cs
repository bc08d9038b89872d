using System.Collections.Immutable;
using System.Text;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// Who heartbeats whom: nodes sit on a ring ordered by a stable hash of their uid address, and each
/// node monitors the <c>monitoredByNrOfMembers</c> reachable nodes after it (so the monitoring graph
/// spreads instead of everyone watching the lowest addresses). Unreachable nodes met on the way are
/// also monitored, without counting, while fewer than that many nodes have been picked, so they can
/// be seen reachable again and so that a mass shutdown still leaves someone watching the dead.
/// With few nodes everyone monitors everyone.
/// </summary>
public sealed class HeartbeatNodeRing
{
    private readonly ImmutableArray<UniqueAddress> _ring;

    public HeartbeatNodeRing(UniqueAddress self, IEnumerable<UniqueAddress> nodes, IReadOnlySet<UniqueAddress> unreachable, int monitoredByNrOfMembers)
    {
        if (monitoredByNrOfMembers <= 0) throw new ArgumentOutOfRangeException(nameof(monitoredByNrOfMembers), "must be positive.");
        Self = self;
        Unreachable = unreachable;
        MonitoredByNrOfMembers = monitoredByNrOfMembers;
        _ring = nodes.Append(self).Distinct()
            .OrderBy(RingHash).ThenBy(n => n)
            .ToImmutableArray();
        MyReceivers = Receivers(self);
    }

    public UniqueAddress Self { get; }
    public IReadOnlySet<UniqueAddress> Unreachable { get; }
    public int MonitoredByNrOfMembers { get; }

    /// <summary>The ring in order (self included).</summary>
    public IReadOnlyList<UniqueAddress> Nodes => _ring;

    /// <summary>The nodes self sends heartbeats to.</summary>
    public IReadOnlySet<UniqueAddress> MyReceivers { get; }

    /// <summary>The nodes <paramref name="sender"/> sends heartbeats to (it must be on the ring).</summary>
    public IReadOnlySet<UniqueAddress> Receivers(UniqueAddress sender)
    {
        var start = _ring.IndexOf(sender);
        if (start < 0) throw new ArgumentException($"{sender} is not on the heartbeat ring.", nameof(sender));
        if (MonitoredByNrOfMembers >= _ring.Length - 1)
            return _ring.Where(n => n != sender).ToImmutableSortedSet();
        var picked = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
        var remaining = MonitoredByNrOfMembers;
        for (var i = 1; i < _ring.Length && remaining > 0; i++)
        {
            var next = _ring[(start + i) % _ring.Length];
            if (Unreachable.Contains(next))
            {
                if (picked.Count < MonitoredByNrOfMembers) picked.Add(next); // watched, not counted
            }
            else
            {
                picked.Add(next);
                remaining--;
            }
        }
        return picked.ToImmutable();
    }

    /// <summary>FNV-1a over the uid address text: the same on every node and every run.</summary>
    internal static uint RingHash(UniqueAddress node)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(node.ToString()))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}
