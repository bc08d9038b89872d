using KvActors.Actor;

namespace KvActors.Cluster.Tools.PubSub;

/// <summary>
/// The node's pub-sub mediator (Akka's DistributedPubSub extension), created at
/// /system/&lt;kvactors.cluster.pub-sub.name&gt; on first use. Call Get on every node that takes part.
/// </summary>
public sealed class DistributedPubSub
{
    private DistributedPubSub(ActorSystem system)
    {
        Settings = DistributedPubSubSettings.Create(system);
        var cluster = Cluster.Get(system);
        IsTerminated = Settings.Role is { } role && !cluster.SelfRoles.Contains(role);
        Mediator = IsTerminated
            ? system.DeadLetters
            : system.SystemActorOf(DistributedPubSubMediator.Props(Settings), Settings.Name);
    }

    public static DistributedPubSub Get(ActorSystem system) => system.GetOrRegisterExtension(s => new DistributedPubSub(s));

    public DistributedPubSubSettings Settings { get; }

    /// <summary>The local mediator: send it Subscribe, Publish, Put, Send, ...</summary>
    public IActorRef Mediator { get; }

    /// <summary>True when this node lacks the configured role (the mediator is dead letters).</summary>
    public bool IsTerminated { get; }
}
