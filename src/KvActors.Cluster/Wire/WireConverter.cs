using System.Collections.Immutable;
using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster.Wire;

/// <summary>
/// Turns the pure membership types into their wire messages and back. Pure; malformed input
/// (bad index, bad address, unknown status) throws <see cref="FormatException"/> naming it, and
/// the daemon drops such a message with one log line.
/// </summary>
public static class WireConverter
{
    public static UniqueAddressMsg ToWire(UniqueAddress node) => new() { Address = node.Address.ToString(), Uid = node.Uid };

    public static UniqueAddress FromWire(UniqueAddressMsg? msg) =>
        msg is not null && Address.TryParse(msg.Address, out var address) && address.HasGlobalScope && msg.Uid != 0
            ? new UniqueAddress(address, msg.Uid)
            : throw new FormatException($"'{msg?.Address}#{msg?.Uid}' is not a node address with a uid.");

    public static Address ParseAddress(string text) =>
        Address.TryParse(text, out var a) && a.HasGlobalScope ? a : throw new FormatException($"'{text}' is not a node address (kvactors.tcp://system@host:port).");

    public static IEnumerable<VectorClockEntry> ToWire(VectorClock clock) =>
        clock.Versions.Select(v => new VectorClockEntry { Node = v.Key, Version = v.Value });

    public static VectorClock FromWire(IEnumerable<VectorClockEntry> entries) =>
        VectorClock.Create(entries.Select(e => new KeyValuePair<string, long>(e.Node, e.Version)));

    public static GossipMsg ToWire(Gossip gossip)
    {
        var index = new Dictionary<UniqueAddress, int>();
        var msg = new GossipMsg();
        int Index(UniqueAddress node)
        {
            if (index.TryGetValue(node, out var i)) return i;
            index[node] = i = msg.AllAddresses.Count;
            msg.AllAddresses.Add(ToWire(node));
            return i;
        }
        foreach (var m in gossip.Members)
        {
            var member = new MemberMsg { AddressIndex = Index(m.UniqueAddress), Status = (int)m.Status, UpNumber = m.UpNumber };
            member.Roles.AddRange(m.Roles);
            msg.Members.Add(member);
        }
        foreach (var seen in gossip.Overview.Seen) msg.Seen.Add(Index(seen));
        var reachability = gossip.Overview.Reachability;
        foreach (var r in reachability.Records)
            msg.Reachability.Add(new ReachabilityRecordMsg { ObserverIndex = Index(r.Observer), SubjectIndex = Index(r.Subject), Status = (int)r.Status });
        foreach (var (observer, version) in reachability.Versions)
            msg.ObserverVersions.Add(new ObserverVersionMsg { ObserverIndex = Index(observer), Version = version });
        msg.Version.AddRange(ToWire(gossip.Version));
        foreach (var (node, at) in gossip.Tombstones) msg.Tombstones.Add(new TombstoneMsg { Node = ToWire(node), RemovedAtMs = at });
        return msg;
    }

    public static Gossip FromWire(GossipMsg? msg)
    {
        if (msg is null) throw new FormatException("a gossip message without a gossip.");
        var all = msg.AllAddresses.Select(FromWire).ToArray();
        UniqueAddress At(int i) => i >= 0 && i < all.Length ? all[i] : throw new FormatException($"gossip address index {i} is out of range.");
        var members = msg.Members.Select(m =>
        {
            if (!Enum.IsDefined(typeof(MemberStatus), m.Status)) throw new FormatException($"unknown member status {m.Status}.");
            return new Member(At(m.AddressIndex), (MemberStatus)m.Status, m.UpNumber, m.Roles.ToImmutableSortedSet(StringComparer.Ordinal));
        });
        var records = msg.Reachability.Select(r =>
        {
            if (!Enum.IsDefined(typeof(Reachability.ReachabilityStatus), r.Status)) throw new FormatException($"unknown reachability status {r.Status}.");
            return new Reachability.Record(At(r.ObserverIndex), At(r.SubjectIndex), (Reachability.ReachabilityStatus)r.Status, 0);
        });
        var versions = msg.ObserverVersions.Select(v => new KeyValuePair<UniqueAddress, long>(At(v.ObserverIndex), v.Version));
        var reachability = Reachability.FromRecords(records, versions);
        var seen = msg.Seen.Select(At).ToImmutableSortedSet();
        var tombstones = ImmutableSortedDictionary.CreateRange(msg.Tombstones.Select(t => new KeyValuePair<UniqueAddress, long>(FromWire(t.Node), t.RemovedAtMs)));
        return new Gossip(ImmutableSortedSet.CreateRange(Member.AddressOrdering, members), new GossipOverview(seen, reachability), FromWire(msg.Version), tombstones);
    }
}
