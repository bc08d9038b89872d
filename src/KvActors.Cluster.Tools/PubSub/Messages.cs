using KvActors.Actor;

namespace KvActors.Cluster.Tools.PubSub;

// The mediator's API (local messages: send them to DistributedPubSub.Get(system).Mediator).

/// <summary>Subscribes <paramref name="Ref"/> to <paramref name="Topic"/>; the mediator answers <see cref="SubscribeAck"/> to the sender.</summary>
public sealed record Subscribe(string Topic, IActorRef Ref);
public sealed record SubscribeAck(Subscribe Subscribe);

/// <summary>Ends a subscription; answered with <see cref="UnsubscribeAck"/>.</summary>
public sealed record Unsubscribe(string Topic, IActorRef Ref);
public sealed record UnsubscribeAck(Unsubscribe Unsubscribe);

/// <summary>Delivers <paramref name="Message"/> to every subscriber of the topic on every node, once each, with the original sender.</summary>
public sealed record Publish(string Topic, object Message);

/// <summary>Registers a local actor under its path without address (e.g. "/user/worker") for Send and SendToAll.</summary>
public sealed record Put(IActorRef Ref);

/// <summary>Removes the local registration at <paramref name="Path"/>.</summary>
public sealed record Remove(string Path);

/// <summary>Delivers to one actor registered at <paramref name="Path"/> on some node: the local one when <paramref name="LocalAffinity"/> and there is one, else a random one.</summary>
public sealed record Send(string Path, object Message, bool LocalAffinity = false);

/// <summary>Delivers to every actor registered at <paramref name="Path"/> (one per node), except this node's when <paramref name="ExcludeSelf"/>.</summary>
public sealed record SendToAll(string Path, object Message, bool ExcludeSelf = false);

/// <summary>Asks for the topics that have subscribers somewhere (as this node knows); answered with <see cref="CurrentTopics"/>.</summary>
public sealed record GetTopics
{
    public static readonly GetTopics Instance = new();
}
public sealed record CurrentTopics(IReadOnlySet<string> Topics);

/// <summary>Asks for the number of live registrations (topic entries and Put actors) in all buckets this node knows; answered with an int.</summary>
public sealed record Count
{
    public static readonly Count Instance = new();
}

/// <summary>Asks for the number of subscribers of a topic on this node; answered with an int.</summary>
public sealed record CountSubscribers(string Topic);
