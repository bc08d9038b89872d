using KvActors.Actor;
using KvActors.Remote;
using KvActors.Remote.FaultInjection;

namespace KvActors.TestKit.MultiNode;

/// <summary>One in-process cluster node of a <see cref="ClusterHarness"/>: its own actor system on a loopback port.</summary>
public sealed class ClusterNode(string name, ActorSystem system)
{
    public string Name { get; } = name;
    public ActorSystem System { get; } = system;
    public Cluster.Cluster Cluster => KvActors.Cluster.Cluster.Get(System);
    public Address Address => Cluster.SelfAddress;
    public UniqueAddress UniqueAddress => Cluster.SelfUniqueAddress;
    internal RemoteActorRefProvider Provider => (RemoteActorRefProvider)System.Provider;
    public FaultInjector Faults => Provider.Faults;
    public bool IsTerminated => System.IsTerminated;

    public override string ToString() => $"{Name} ({Address.HostPort})";
}
