using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster.Tests;

internal static class TestNodes
{
    /// <summary>Node i at 127.0.0.1:(2550+i) with uid i+1: address order = index order.</summary>
    public static UniqueAddress Node(int i) => new(Address.Tcp("kv", "127.0.0.1", 2550 + i), i + 1);

    public static Member M(int i, MemberStatus status, int upNumber = int.MaxValue, params string[] roles) =>
        Member.Create(Node(i), roles) with { Status = status, UpNumber = status is MemberStatus.Joining or MemberStatus.WeaklyUp ? int.MaxValue : upNumber == int.MaxValue ? i + 1 : upNumber };

    public static Gossip SeenByAll(this Gossip g) => g.Members.Aggregate(g, (acc, m) => acc.Seen(m.UniqueAddress));
}
