using System.Collections.Concurrent;
using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Event;
using KvActors.Remote.Endpoint;
using KvActors.Remote.FaultInjection;
using KvActors.Remote.Protocol;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;
using KvActors.Scheduling;
using Microsoft.Extensions.Logging;

namespace KvActors.Remote;

/// <summary>
/// The provider of a system that talks to other systems (kvactors.actor.provider = remote):
/// local actors as before, plus <see cref="RemoteActorRef"/>s for paths on other addresses,
/// the TCP transport, reliable system-message delivery and remote DeathWatch. Local actors keep
/// local paths; on the wire they are named with this system's network address.
/// </summary>
public class RemoteActorRefProvider : ActorRefProvider, ITransportListener
{
    /// <summary>The value of kvactors.actor.provider that selects this provider.</summary>
    public const string ConfigName = "KvActors.Remote.RemoteActorRefProvider, KvActors.Remote";

    private const int ResolveCacheLimit = 50_000;
    private readonly ConcurrentDictionary<string, InternalActorRef> _resolveCache = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private TcpTransport? _transport;
    private ICancelable? _resendTimer, _heartbeatTimer;

    public RemoteActorRefProvider(ActorSystem system) : base(system)
    {
        _log = system.LoggerFactory.CreateLogger("KvActors.Remote");
        RemoteSettings = RemoteSettings.FromConfig(system.Config);
        Serializers = SerializerRegistry.CreateDefault();
        Serializers.Register(new ActorMessageSerializer(this));
        Delivery = new SystemMessageDelivery(this, _log);
        Watcher = new RemoteWatcher(this, _log);
    }

    public RemoteSettings RemoteSettings { get; }

    /// <summary>Modules register their message serializers here (thread-safe, any time).</summary>
    public SerializerRegistry Serializers { get; }

    public TcpTransport Transport => _transport ?? throw new InvalidOperationException("Remoting has not started.");

    /// <summary>This system's network address and incarnation.</summary>
    public UniqueAddress LocalUniqueAddress => Transport.LocalAddress;

    public override Address DefaultAddress => _transport?.LocalAddress.Address ?? RootPath.Address;

    internal SystemMessageDelivery Delivery { get; }
    internal RemoteWatcher Watcher { get; }

    /// <summary>Test-only network faults (blackhole, delay) towards other systems.</summary>
    public FaultInjector Faults { get; } = new();

    private DelayLine? _delayLine;

    /// <summary>Every envelope leaves through here, so fault rules apply to all remoting traffic.</summary>
    internal void Send(Address to, in OutboundEnvelope envelope)
    {
        if (Faults.IsActive)
        {
            if (Faults.DropsSendTo(to)) return;
            var delay = Faults.SendDelayTo(to);
            if (delay > TimeSpan.Zero)
            {
                var copy = envelope;
                var line = _delayLine ?? Interlocked.CompareExchange(ref _delayLine, new DelayLine(), null) ?? _delayLine!;
                line.Add(delay, () => Transport.Send(to, copy));
                return;
            }
        }
        Transport.Send(to, envelope);
    }

    public override void Start()
    {
        _transport = new TcpTransport(System.Name, RemoteSettings, Serializers, this, System.LoggerFactory);
        _transport.Start();
        var resend = RemoteSettings.SystemMessageResendInterval;
        _resendTimer = System.Scheduler.ScheduleRepeatedly(resend, resend, Delivery.Tick);
        var heartbeat = RemoteSettings.HeartbeatInterval;
        _heartbeatTimer = System.Scheduler.ScheduleRepeatedly(heartbeat, heartbeat, Watcher.Tick);
    }

    public override async Task ShutdownAsync()
    {
        _resendTimer?.Cancel();
        _heartbeatTimer?.Cancel();
        _delayLine?.Stop();
        if (_transport is null) return;
        // Let the last messages (death notices of our stopped actors above all) leave before closing.
        var deadline = Environment.TickCount64 + (long)RemoteSettings.ShutdownFlushTimeout.TotalMilliseconds;
        while (_transport.Associations.Any(a => a.State == AssociationState.Active && a.QueuedCount > 0) && Environment.TickCount64 < deadline)
            await Task.Delay(10).ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Everything at <paramref name="node"/> is gone for good (the cluster removed it): quarantine
    /// that incarnation and tell every local watcher of its actors.
    /// </summary>
    public void NotifyAddressTerminated(UniqueAddress node, string reason)
    {
        if (_transport is not null && !_transport.IsQuarantined(node)) _transport.Quarantine(node, reason);
        Watcher.AddressTerminated(node.Address);
    }

    /// <summary>
    /// Whether remote DeathWatch heartbeats this address itself. The cluster provider says no for
    /// members: the cluster's own failure detection and removal decide for them.
    /// </summary>
    protected internal virtual bool WatchesWithHeartbeats(Address address) => true;

    public override bool IsLocalAddress(Address address) =>
        address.Equals(RootPath.Address) || (_transport is not null && address.Equals(_transport.LocalAddress.Address));

    public override InternalActorRef ResolveActorRef(ActorPath path) =>
        IsLocalAddress(path.Address) ? ResolveLocal(path) : new RemoteActorRef(this, path);

    public override InternalActorRef RootGuardianAt(Address address) =>
        IsLocalAddress(address) ? RootGuardian : new RemoteActorRef(this, new RootActorPath(address));

    /// <summary>
    /// Path strings arriving on the wire repeat (the same few recipients and senders), so
    /// their resolution is cached; a cached local actor that has stopped is resolved again.
    /// </summary>
    internal InternalActorRef ResolveCached(string path)
    {
        if (_resolveCache.TryGetValue(path, out var cached) && !(cached.IsLocal && cached.IsTerminated)) return cached;
        var resolved = ResolveActorRef(path);
        if (resolved is EmptyLocalActorRef || path.Contains("/temp/", StringComparison.Ordinal)) return resolved;
        if (_resolveCache.Count >= ResolveCacheLimit) _resolveCache.Clear();
        _resolveCache[path] = resolved;
        return resolved;
    }

    /// <summary>The path of <paramref name="actorRef"/> as another system must see it: with our network address and uid.</summary>
    public string SerializedPath(IActorRef actorRef)
    {
        if (actorRef is RemoteActorRef remote) return remote.PathString;
        var path = actorRef.Path;
        if (!IsLocalAddress(path.Address)) return path.ToSerializationFormat();
        var text = path.ToStringWithAddress(DefaultAddress);
        return path.Uid == ActorPath.UndefinedUid ? text : $"{text}#{path.Uid}";
    }

    /// <summary>Where remoting's own control messages (heartbeats, acks) go on a system.</summary>
    internal string ControlPathOf(Address address) => $"{address}/system/remote";

    internal void SendUserMessage(RemoteActorRef recipient, object message, IActorRef? sender) =>
        Send(recipient.Path.Address, new OutboundEnvelope(recipient.PathString, sender is null ? null : SerializedPath(sender), message));

    internal void SendSystemMessage(RemoteActorRef recipient, SystemMessage message)
    {
        switch (message)
        {
            case Watch w when w.Watcher is InternalActorRef { IsLocal: true } watcher:
                Watcher.AddWatch(w.Watchee, watcher);
                break;
            case Unwatch u when u.Watcher is InternalActorRef { IsLocal: true } watcher:
                Watcher.RemoveWatch(u.Watchee, watcher);
                break;
        }
        Delivery.Send(recipient, message);
    }

    // ---- ITransportListener: called on transport I/O threads; only enqueue work ----

    void ITransportListener.OnInbound(in InboundEnvelope envelope)
    {
        if (Faults.IsActive && Faults.DropsReceiveFrom(envelope.From.Address)) return;
        switch (envelope.Message)
        {
            case SystemMessageEnvelope system:
                Delivery.OnReceived(envelope.From, system);
                return;
            case AckNack ack:
                Delivery.OnAck(envelope.From.Address, ack);
                return;
            case Heartbeat:
                Send(envelope.From.Address, new OutboundEnvelope(ControlPathOf(envelope.From.Address), null, new HeartbeatRsp { Uid = LocalUniqueAddress.Uid }));
                return;
            case HeartbeatRsp:
                Watcher.OnHeartbeatResponse(envelope.From);
                return;
        }
        if (envelope.Message is SystemMessage) return; // only valid through reliable delivery, never as a user message
        var recipient = ResolveCached(envelope.Recipient);
        var sender = envelope.Sender is null ? null : ResolveCached(envelope.Sender);
        recipient.Tell(envelope.Message, sender);
    }

    void ITransportListener.OnAssociationEvent(AssociationEvent e)
    {
        switch (e.Kind)
        {
            case AssociationEventKind.IncarnationReplaced when e.Previous is not null:
                _log.LogInformation("{Address} restarted as a new incarnation: actors of the old one count as terminated.", e.Address);
                Delivery.Reset(e.Address, e.Previous);
                Watcher.AddressTerminated(e.Address);
                break;
            case AssociationEventKind.Quarantined:
                Delivery.Reset(e.Address, e.Remote);
                Watcher.AddressTerminated(e.Address);
                break;
        }
        System.EventStream.Publish(e);
    }

    void ITransportListener.OnDropped(in DroppedEnvelope dropped)
    {
        var envelope = dropped.Envelope;
        if (envelope.Message is SystemMessageEnvelope or AckNack or Heartbeat or HeartbeatRsp) return; // redelivered or regenerated
        var recipient = ResolveCached(envelope.Recipient);
        var sender = envelope.Sender is null ? null : ResolveCached(envelope.Sender);
        System.DeadLetters.Tell(new Dropped(envelope.Message, $"remote send failed ({dropped.Reason})", sender, recipient), sender);
    }
}
