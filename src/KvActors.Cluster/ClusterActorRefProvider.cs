using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// The provider of a cluster member (kvactors.actor.provider = cluster): remoting plus the
/// cluster daemon, started with the system. Members are watched through cluster membership:
/// a member's actors count as terminated when the member is removed, not on a heartbeat timeout
/// of remote DeathWatch (the cluster's failure detector and split-brain resolver decide that).
/// </summary>
public sealed class ClusterActorRefProvider(ActorSystem system) : RemoteActorRefProvider(system)
{
    private volatile IReadOnlySet<Address> _memberAddresses = new HashSet<Address>();

    public override void Start()
    {
        base.Start();
        Cluster.Get(System); // starts the daemon, which joins the seed nodes when configured
    }

    protected override bool WatchesWithHeartbeats(Address address) => !_memberAddresses.Contains(address);

    internal void OnMembershipChanged(IReadOnlySet<Address> members) => _memberAddresses = members;

    internal void OnMemberRemoved(UniqueAddress node) => NotifyAddressTerminated(node, "removed from the cluster");
}
