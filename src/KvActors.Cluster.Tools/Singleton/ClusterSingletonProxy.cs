using KvActors.Actor;
using KvActors.Event;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster.Tools.Singleton;

/// <summary>
/// Forwards messages to the current instance of a cluster singleton, wherever it runs, keeping
/// the original sender. It identifies <c>&lt;oldest address&gt;&lt;manager path&gt;/&lt;singleton name&gt;</c>,
/// again after every change of the oldest and after the instance terminates, and buffers up to
/// buffer-size messages while it does not know the instance (the oldest is dropped when full).
/// </summary>
public sealed class ClusterSingletonProxy : ReceiveActor, IWithTimers
{
    private sealed class IdentifyTick { public static readonly IdentifyTick Instance = new(); }

    private readonly string _managerPath;
    private readonly ClusterSingletonProxySettings _settings;
    private readonly Cluster _cluster;
    private readonly List<Member> _byAge = [];
    private readonly LinkedList<(object Message, IActorRef? Sender)> _buffer = new();
    private IActorRef? _singleton;
    private string _identifyId = "";
    private int _identifyCount;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="singletonManagerPath">The manager's path without address, e.g. "/user/ring-manager".</param>
    public static Props Props(string singletonManagerPath, ClusterSingletonProxySettings settings) =>
        KvActors.Actor.Props.Create(() => new ClusterSingletonProxy(singletonManagerPath, settings));

    private ClusterSingletonProxy(string singletonManagerPath, ClusterSingletonProxySettings settings)
    {
        _managerPath = "/" + singletonManagerPath.Trim('/');
        _settings = settings;
        _cluster = Cluster.Get(Context.System);

        Receive<CurrentClusterState>(s =>
        {
            _byAge.Clear();
            _byAge.AddRange(s.Members.Where(m => m.Status == MemberStatus.Up && Matches(m)));
            _byAge.Sort(Member.AgeOrdering);
            Reidentify();
        });
        Receive<MemberEvent>(e =>
        {
            if (!Matches(e.Member)) return;
            var before = Oldest;
            _byAge.RemoveAll(m => m.UniqueAddress == e.Member.UniqueAddress);
            if (e is MemberUp)
            {
                _byAge.Add(e.Member);
                _byAge.Sort(Member.AgeOrdering);
            }
            if (!Equals(before, Oldest)) Reidentify();
        });
        Receive<IdentifyTick>(_ => SendIdentify());
        Receive<ActorIdentity>(id => Equals(id.MessageId, _identifyId), id =>
        {
            if (id.Subject is not { } subject) return;
            Timers.Cancel("identify");
            if (_singleton is not null) Context.Unwatch(_singleton);
            _singleton = Context.Watch(subject);
            Log.LogInformation("Singleton proxy {Path} found the singleton at {Singleton}; forwarding {Count} buffered messages.", Self.Path, subject.Path, _buffer.Count);
            foreach (var (message, sender) in _buffer) subject.Tell(message, sender);
            _buffer.Clear();
        });
        Receive<ActorIdentity>(_ => { }); // an answer to an earlier identify
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_singleton)) return;
            Log.LogInformation("Singleton {Singleton} terminated; proxy {Path} looks for the new one.", t.ActorRef.Path, Self.Path);
            _singleton = null;
            StartIdentifying();
        });
        ReceiveAny(message =>
        {
            if (_singleton is not null) _singleton.Tell(message, Sender);
            else Buffer(message);
        });
    }

    private Address? Oldest => _byAge.Count == 0 ? null : _byAge[0].Address;
    private bool Matches(Member m) => _settings.Role is null || m.HasRole(_settings.Role);

    protected override void PreStart() => _cluster.Subscribe(Self, typeof(MemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>The oldest changed: forget the instance we knew (it moves) and look again.</summary>
    private void Reidentify()
    {
        if (_singleton is not null) Context.Unwatch(_singleton);
        _singleton = null;
        StartIdentifying();
    }

    private void StartIdentifying()
    {
        _identifyId = $"{Self.Path.Name}-{++_identifyCount}";
        SendIdentify();
        Timers.StartPeriodicTimer("identify", IdentifyTick.Instance, _settings.SingletonIdentificationInterval);
    }

    private void SendIdentify()
    {
        if (Oldest is not { } oldest) return;
        Context.System.ActorSelection($"{oldest}{_managerPath}/{_settings.SingletonName}").Tell(new Identify(_identifyId), Self);
    }

    private void Buffer(object message)
    {
        if (_settings.BufferSize == 0)
        {
            Drop(message, Sender, "the singleton is not known yet and buffer-size is 0");
            return;
        }
        if (_buffer.Count >= _settings.BufferSize)
        {
            var (oldest, oldestSender) = _buffer.First!.Value;
            _buffer.RemoveFirst();
            Log.LogWarning("Singleton proxy {Path}: buffer full ({Size} messages) while the singleton is unknown; dropping the oldest message [{Type}].",
                Self.Path, _settings.BufferSize, oldest.GetType().Name);
            Context.System.EventStream.Publish(new Dropped(oldest, "the singleton proxy's buffer is full", oldestSender, Self));
        }
        _buffer.AddLast((message, Sender));
    }

    private void Drop(object message, IActorRef? sender, string reason)
    {
        Log.LogWarning("Singleton proxy {Path}: dropping [{Type}]: {Reason}.", Self.Path, message.GetType().Name, reason);
        Context.System.EventStream.Publish(new Dropped(message, reason, sender, Self));
    }
}
