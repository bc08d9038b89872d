using System.Buffers;
using System.Collections.Immutable;
using Google.Protobuf;
using KvActors.Actor;
using KvActors.Cluster.Tools.Wire;
using KvActors.Event;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster.Tools.PubSub;

/// <summary>
/// One per node (see <see cref="DistributedPubSub"/>). Holds this node's subscribers and Put
/// actors, writes them into its own bucket of the <see cref="PubSubRegistry"/>, gossips the
/// registry to a random other member every gossip-interval (versions, then deltas) and delivers
/// Publish/Send/SendToAll. A publish goes once to each node whose bucket has the topic; that
/// node's mediator hands it to its local subscribers, so each subscriber gets it once.
/// </summary>
public sealed class DistributedPubSubMediator : ReceiveActor, IWithTimers
{
    private sealed class GossipTick { public static readonly GossipTick Instance = new(); }
    private sealed class PruneTick { public static readonly PruneTick Instance = new(); }

    private const string TopicPrefix = "topic:";

    private readonly DistributedPubSubSettings _settings;
    private readonly Cluster _cluster;
    private readonly RemoteActorRefProvider _provider;
    private readonly PubSubRegistry _registry;
    private readonly HashSet<Address> _nodes = [];
    private readonly Dictionary<string, HashSet<IActorRef>> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _puts = new(StringComparer.Ordinal);
    private readonly Random _random = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DistributedPubSubSettings settings) =>
        KvActors.Actor.Props.Create(() => new DistributedPubSubMediator(settings));

    private DistributedPubSubMediator(DistributedPubSubSettings settings)
    {
        _settings = settings;
        _cluster = Cluster.Get(Context.System);
        _provider = (RemoteActorRefProvider)Context.System.Provider;
        _registry = new PubSubRegistry(_cluster.SelfAddress);
        _nodes.Add(_cluster.SelfAddress);

        Receive<Subscribe>(HandleSubscribe);
        Receive<Unsubscribe>(HandleUnsubscribe);
        Receive<Publish>(p => PublishTo(p.Topic, p.Message));
        Receive<Put>(HandlePut);
        Receive<Remove>(r =>
        {
            if (_puts.Remove(r.Path, out var old)) { UnwatchIfUnused(old); _registry.Put(r.Path, null, Now); }
        });
        Receive<Send>(HandleSend);
        Receive<SendToAll>(HandleSendToAll);
        Receive<GetTopics>(_ => Sender?.Tell(new CurrentTopics(_registry.LiveKeys.Where(k => k.StartsWith(TopicPrefix, StringComparison.Ordinal))
            .Select(k => k[TopicPrefix.Length..]).ToImmutableHashSet()), Self));
        Receive<Count>(_ => Sender?.Tell(_registry.Count, Self));
        Receive<CountSubscribers>(c => Sender?.Tell(_subscribers.TryGetValue(c.Topic, out var s) ? s.Count : 0, Self));
        Receive<Terminated>(t => RemoveLocal(t.ActorRef));

        Receive<PublishToLocal>(HandlePublishToLocal);
        Receive<PubSubStatus>(HandleStatus);
        Receive<PubSubDelta>(HandleDelta);
        Receive<GossipTick>(_ => Gossip());
        Receive<PruneTick>(_ => _registry.PruneOwnTombstones(Now - (long)settings.RemovedTimeToLive.TotalMilliseconds));

        Receive<CurrentClusterState>(s =>
        {
            foreach (var m in s.Members)
                if (Matches(m) && m.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp)) _nodes.Add(m.Address);
        });
        Receive<MemberEvent>(e =>
        {
            if (!Matches(e.Member)) return;
            switch (e)
            {
                case MemberRemoved r:
                    _nodes.Remove(r.Member.Address);
                    if (_registry.RemoveOwner(r.Member.Address))
                        Log.LogDebug("Pub-sub registry dropped the bucket of removed member {Address}.", r.Member.Address);
                    break;
                case MemberUp or MemberLeft or MemberExited:
                    _nodes.Add(e.Member.Address);
                    break;
            }
        });
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private bool Matches(Member m) => _settings.Role is null || m.HasRole(_settings.Role);

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, typeof(MemberEvent));
        Timers.StartPeriodicTimer("gossip", GossipTick.Instance, _settings.GossipInterval);
        var prune = TimeSpan.FromTicks(Math.Max(_settings.RemovedTimeToLive.Ticks / 2, TimeSpan.FromSeconds(1).Ticks));
        Timers.StartPeriodicTimer("prune", PruneTick.Instance, prune);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    // ---- local registrations ----

    private void HandleSubscribe(Subscribe s)
    {
        if (!_subscribers.TryGetValue(s.Topic, out var set)) _subscribers[s.Topic] = set = [];
        if (set.Add(s.Ref))
        {
            Context.Watch(s.Ref);
            if (set.Count == 1) _registry.Put(TopicPrefix + s.Topic, _provider.SerializedPath(Self), Now);
        }
        Sender?.Tell(new SubscribeAck(s), Self);
    }

    private void HandleUnsubscribe(Unsubscribe u)
    {
        if (_subscribers.TryGetValue(u.Topic, out var set) && set.Remove(u.Ref))
        {
            if (set.Count == 0)
            {
                _subscribers.Remove(u.Topic);
                _registry.Put(TopicPrefix + u.Topic, null, Now);
            }
            UnwatchIfUnused(u.Ref);
        }
        Sender?.Tell(new UnsubscribeAck(u), Self);
    }

    private void HandlePut(Put p)
    {
        if (!_provider.IsLocalAddress(p.Ref.Path.Address))
        {
            Log.LogWarning("Pub-sub Put of {Ref} refused: only actors of this node can be registered here.", p.Ref.Path);
            return;
        }
        var key = p.Ref.Path.ToStringWithoutAddress();
        if (_puts.TryGetValue(key, out var old) && old.Equals(p.Ref)) return;
        _puts[key] = p.Ref;
        Context.Watch(p.Ref);
        _registry.Put(key, _provider.SerializedPath(p.Ref), Now);
    }

    private void RemoveLocal(IActorRef gone)
    {
        foreach (var (topic, set) in _subscribers.ToList())
        {
            if (!set.Remove(gone) || set.Count > 0) continue;
            _subscribers.Remove(topic);
            _registry.Put(TopicPrefix + topic, null, Now);
        }
        foreach (var (key, r) in _puts.ToList())
        {
            if (!r.Equals(gone)) continue;
            _puts.Remove(key);
            _registry.Put(key, null, Now);
        }
    }

    private void UnwatchIfUnused(IActorRef r)
    {
        if (_subscribers.Values.Any(s => s.Contains(r)) || _puts.Values.Contains(r)) return;
        Context.Unwatch(r);
    }

    // ---- delivery ----

    private void PublishTo(string topic, object message)
    {
        var any = false;
        PayloadMsg? payload = null;
        foreach (var (owner, _) in _registry.Lookup(TopicPrefix + topic))
        {
            any = true;
            if (owner.Equals(_registry.Self)) DeliverLocally(topic, message, Sender);
            else
            {
                payload ??= ToPayload(message);
                if (payload is not null) MediatorAt(owner).Tell(new PublishToLocal { Topic = topic, Payload = payload }, Sender);
            }
        }
        if (!any) Context.System.EventStream.Publish(new DeadLetter(message, Sender, Self));
    }

    private void HandlePublishToLocal(PublishToLocal p)
    {
        object message;
        try
        {
            if (!_provider.Serializers.TryGet(p.Payload.SerializerId, out var serializer))
                throw new FormatException($"unknown serializer id {p.Payload.SerializerId}");
            message = serializer.FromBinary(p.Payload.Message.Span, p.Payload.Manifest);
        }
        catch (Exception e)
        {
            Log.LogWarning("Dropping a published message for topic {Topic} from {Sender}: it cannot be read ({Reason}).", p.Topic, Sender?.Path, e.Message);
            return;
        }
        DeliverLocally(p.Topic, message, Sender);
    }

    private void DeliverLocally(string topic, object message, IActorRef? sender)
    {
        if (!_subscribers.TryGetValue(topic, out var set)) return; // unsubscribed since the publisher's registry saw it
        foreach (var s in set) s.Tell(message, sender);
    }

    private void HandleSend(Send s)
    {
        if (s.LocalAffinity && _puts.TryGetValue(s.Path, out var local))
        {
            local.Tell(s.Message, Sender);
            return;
        }
        var all = _registry.Lookup(s.Path).ToList();
        if (all.Count == 0)
        {
            Context.System.EventStream.Publish(new DeadLetter(s.Message, Sender, Self));
            return;
        }
        var (owner, path) = all[_random.Next(all.Count)];
        RefFor(owner, s.Path, path).Tell(s.Message, Sender);
    }

    private void HandleSendToAll(SendToAll s)
    {
        var any = false;
        foreach (var (owner, path) in _registry.Lookup(s.Path))
        {
            if (s.ExcludeSelf && owner.Equals(_registry.Self)) continue;
            any = true;
            RefFor(owner, s.Path, path).Tell(s.Message, Sender);
        }
        if (!any) Context.System.EventStream.Publish(new DeadLetter(s.Message, Sender, Self));
    }

    private IActorRef RefFor(Address owner, string key, string path) =>
        owner.Equals(_registry.Self) && _puts.TryGetValue(key, out var local) ? local : _provider.ResolveActorRef(path);

    private PayloadMsg? ToPayload(object message)
    {
        try
        {
            var serializer = _provider.Serializers.FindFor(message);
            var buffer = new ArrayBufferWriter<byte>();
            var manifest = serializer.ToBinary(message, buffer);
            return new PayloadMsg { SerializerId = serializer.Id, Manifest = manifest, Message = ByteString.CopyFrom(buffer.WrittenSpan) };
        }
        catch (Exception e)
        {
            Log.LogWarning("Cannot publish [{Type}] to other nodes: it cannot be serialized ({Reason}).", message.GetType().Name, e.Message);
            return null;
        }
    }

    private IActorRef MediatorAt(Address node) => _provider.ResolveActorRef($"{node}{Self.Path.ToStringWithoutAddress()}");

    // ---- gossip ----

    private void Gossip()
    {
        var others = _nodes.Where(n => !n.Equals(_registry.Self)).ToList();
        if (others.Count == 0) return;
        MediatorAt(others[_random.Next(others.Count)]).Tell(Status(isReply: false), Self);
    }

    private PubSubStatus Status(bool isReply)
    {
        var status = new PubSubStatus { IsReply = isReply };
        foreach (var (owner, version) in _registry.Versions)
            status.Versions.Add(new BucketVersionMsg { Owner = owner.ToString(), Version = version });
        return status;
    }

    private void HandleStatus(PubSubStatus s)
    {
        if (Sender is null || !_nodes.Contains(Sender.Path.Address)) return; // not (or no longer) a member
        var theirs = new Dictionary<Address, long>();
        foreach (var v in s.Versions)
            if (Address.TryParse(v.Owner, out var a)) theirs[a] = v.Version;
        var delta = _registry.Delta(theirs, _settings.MaxDeltaElements);
        if (delta.Count > 0)
        {
            var msg = new PubSubDelta();
            foreach (var b in delta)
            {
                var bm = new BucketMsg { Owner = b.Owner.ToString(), Version = b.Version };
                foreach (var (key, value) in b.Content)
                    bm.Content.Add(new ValueHolderMsg { Key = key, Version = value.Version, Ref = value.Ref ?? "" });
                msg.Buckets.Add(bm);
            }
            Sender.Tell(msg, Self);
        }
        if (!s.IsReply && _registry.OtherHasNewerVersions(theirs)) Sender.Tell(Status(isReply: true), Self);
    }

    private void HandleDelta(PubSubDelta d)
    {
        if (Sender is null || !_nodes.Contains(Sender.Path.Address)) return;
        var buckets = new List<Bucket>();
        foreach (var b in d.Buckets)
        {
            if (!Address.TryParse(b.Owner, out var owner)) continue;
            var content = ImmutableDictionary.CreateBuilder<string, ValueHolder>(StringComparer.Ordinal);
            foreach (var v in b.Content) content[v.Key] = new ValueHolder(v.Version, v.Ref.Length == 0 ? null : v.Ref);
            buckets.Add(new Bucket(owner, b.Version, content.ToImmutable()));
        }
        _registry.Merge(buckets, _nodes.Contains);
    }
}
