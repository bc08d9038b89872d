using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Akka.Remote.Transport;

namespace KvActors.TestKit.MultiNode;

/// <summary>One in-process node of a <see cref="ClusterHarness"/>: its own actor system on a loopback port.</summary>
public sealed class ClusterNode
{
    internal ClusterNode(string name, ActorSystem system)
    {
        Name = name;
        System = system;
        Cluster = Cluster.Get(system);
        Address = Cluster.SelfAddress;
        UniqueAddress = Cluster.SelfUniqueAddress;
    }

    public string Name { get; }
    public ActorSystem System { get; }
    public Cluster Cluster { get; }

    /// <summary>akka.trttl.tcp://NAME@127.0.0.1:PORT (the throttler adapter is in the scheme).</summary>
    public Address Address { get; }

    /// <summary>The address and this incarnation's uid: a restart on the same port gets a new one.</summary>
    public UniqueAddress UniqueAddress { get; }

    public int Port => Address.Port ?? throw new InvalidOperationException($"{Name} has no port.");
    public bool IsTerminated => System.WhenTerminated.IsCompleted;

    /// <summary>This node's view of the members (its Cluster.State, updated asynchronously from cluster events).</summary>
    public IReadOnlyCollection<Member> Members => Cluster.State.Members;

    public bool Sees(UniqueAddress member) => Cluster.State.Members.Any(m => m.UniqueAddress.Equals(member));

    /// <summary>A reference, usable on this node, to <paramref name="actor"/> of node <paramref name="home"/>: what is sent through it crosses the wire.</summary>
    public IActorRef RefTo(IActorRef actor, ClusterNode home) =>
        ((ExtendedActorSystem)System).Provider.ResolveActorRef(actor.Path.ToStringWithAddress(home.Address));

    /// <summary>
    /// Sets the throttler mode of this node's link to <paramref name="remote"/>, both directions, awaiting the transport's
    /// acknowledgement without blocking a thread (the in-process nodes run on the same thread pool)
    /// (<see cref="Blackhole"/> drops everything, <see cref="Unthrottled"/> heals). Akka's
    /// multi-node TestConductor does the same through the transport's management command.
    /// </summary>
    internal async Task ThrottleAsync(Address remote, ThrottleMode mode, TimeSpan timeout)
    {
        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)System).Provider).Transport;
        var done = transport.ManagementCommand(new SetThrottle(remote, ThrottleTransportAdapter.Direction.Both, mode));
        bool acknowledged;
        try
        {
            acknowledged = await done.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            acknowledged = false;
        }
        if (!acknowledged)
            throw new InvalidOperationException($"{this}: the throttler did not acknowledge {mode.GetType().Name} towards {remote} within {timeout}.");
    }

    public override string ToString() => $"{Name} ({Address.HostPort()})";
}
