using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// Published on the node's local EventStream each time the node's <see cref="RingKeeper"/> applies a ring (never on
/// start from the file): the node's shard host follows it. <see cref="Previous"/> is the ring applied before (null: none).
/// Local only: it never crosses the wire.
/// </summary>
public sealed record RingApplied(RingState Ring, RingState? Previous);

/// <summary>The reason of the CoordinatedShutdown a <see cref="RingKeeper"/> runs when the cluster's ring has another partition count than the node.</summary>
public sealed class PartitionCountMismatchReason : CoordinatedShutdown.Reason
{
    public static readonly PartitionCountMismatchReason Instance = new();

    private PartitionCountMismatchReason()
    {
    }

    /// <summary>A configuration error, as kvnode's exit code 2 for bad settings.</summary>
    public override int ExitCode => 2;

    public override string ToString() => "the cluster's ring has another partition count than this node's kvactors.store.partitions";
}

/// <summary>
/// One per node at <see cref="RingPaths.KeeperPath"/>: holds the last ring the node applied, persisted to
/// <see cref="RingPaths.RingFile"/>, and the newest ring it accepted but has not applied, persisted to
/// <see cref="RingPaths.AcceptedFile"/> (both loaded at start; missing or damaged = none, damaged with a warning).
/// <list type="bullet">
/// <item><c>RingProposed</c>: the manager's two-phase publication, first phase, decided by <see cref="RingAcceptor"/>
/// (ballots, one ring per epoch per ballot). An accepted ring is saved (<see cref="RingPaths.AcceptedFile"/>, with the
/// promise) and answered with <c>RingAccepted</c>; it is not applied. A refused one is answered with
/// <c>LastRingReply</c>, so the manager learns what this node holds and whether it has been superseded.
/// Because the manager publishes only rings a quorum has accepted, and a new manager reads the newest ring of a
/// quorum under a higher ballot (<see cref="RingProposal"/>), a ring that took effect anywhere is never lost with its
/// manager, and an older manager
/// still running (a singleton on the minority side until the split-brain resolver acts) gets nothing applied.</item>
/// <item><c>RingPublished</c>: applies a ring only with a higher epoch than its own (fencing). It writes the file first,
/// then publishes <see cref="RingApplied"/> on the EventStream. An older ring is answered with <c>LastRingReply</c>, so
/// the manager learns that it is behind. A ring of another partition count than <see cref="RingSettings.Partitions"/> is
/// refused: one error line and CoordinatedShutdown with <see cref="PartitionCountMismatchReason"/>.</item>
/// <item><c>LastRingRequest</c> (a starting RingManager, with its ballot): promises the ballot unless it promised a higher
/// one, and answers <c>LastRingReply</c> with the newest ring it stored (accepted or applied) and its promise.</item>
/// <item><c>GetRing</c> (anyone): answers <c>RingReply</c> with its ring.</item>
/// <item><c>SubscribeRing</c> (a client following the ring): answers <c>RingReply</c> with its ring at once, then sends
/// one to the subscriber each time it applies a ring, until the subscription lapses (<see cref="RingSubscribers{T}"/>).
/// So a client learns of a failover as soon as the node does, not at its next poll or request timeout.</item>
/// </list>
/// </summary>
public sealed class RingKeeper : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RingSettings _settings;
    private readonly string _file;
    private readonly string _acceptedFile;
    private readonly NodeId _self;
    private RingState? _ring;
    private RingMap? _ringProto;
    // The promise and the proposed ring accepted above _ring (persisted to _acceptedFile before any answer).
    private RingAcceptor _acceptor = new(-1, RingBallot.None, RingBallot.None, null, RingBallot.None);
    private bool _refused;
    private readonly RingSubscribers<IActorRef> _subscribers = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public RingKeeper(RingSettings settings, NodeId? self = null)
    {
        _settings = settings;
        _file = RingPaths.RingFile(settings.DataDir);
        _acceptedFile = RingPaths.AcceptedFile(settings.DataDir);
        _self = self ?? RingPaths.NodeIdOf(((ExtendedActorSystem)Context.System).Provider.DefaultAddress);

        Receive<RingProposed>(OnProposed);
        Receive<RingPublished>(OnPublished);
        Receive<LastRingRequest>(OnLastRingRequest);
        Receive<GetRing>(_ => Sender.Tell(Reply()));
        Receive<SubscribeRing>(OnSubscribe);
    }

    public static Props Props(RingSettings settings, NodeId? self = null) =>
        Akka.Actor.Props.Create(() => new RingKeeper(settings, self));

    protected override void PreStart()
    {
        var read = RingFile.Read(_file);
        if (read.Problem is not null) _log.Warning(read.Problem);
        if (read.Ring is { } ring && !Refuses(ring)) SetRing(ring);
        LoadAcceptor();
    }

    /// <summary>Loads the promise and accepted ring from the accepted file (missing or damaged: none, damaged with a warning).</summary>
    private void LoadAcceptor()
    {
        var read = RingFile.ReadAcceptor(_acceptedFile);
        if (read.Problem is not null) _log.Warning(read.Problem);
        var record = read.Record ?? new AcceptorRecord();
        var accepted = RingWire.FromProtoOrNull(record.Accepted);
        if (accepted is not null && Refuses(accepted)) accepted = null;
        _acceptor = new RingAcceptor(_ring?.Epoch ?? -1, RingBallot.FromProto(record.AppliedBallot), RingBallot.FromProto(record.Promised),
            accepted, RingBallot.FromProto(record.AcceptedBallot), RingWire.FromProto(record.AcceptedReplaces));
    }

    private void OnLastRingRequest(LastRingRequest request)
    {
        var ballot = RingBallot.FromProto(request.Ballot);
        var before = _acceptor.Promised;
        var promised = _acceptor.Prepare(ballot);
        if (promised && _acceptor.Promised != before && !Save()) return;
        Sender.Tell(LastRing(ballot, refused: !promised));
    }

    private void OnProposed(RingProposed message)
    {
        if (Parse(message.Ring, "proposed") is not { } ring) return;
        IReadOnlyList<IReadOnlyCollection<NodeId>> replaces;
        try
        {
            replaces = RingWire.FromProto(message.Replaces);
        }
        catch (FormatException e)
        {
            _log.Warning("A proposed ring from {0} was ignored: {1}", Sender.Path, e.Message);
            return;
        }
        var ballot = RingBallot.FromProto(message.Ballot);
        var before = (_acceptor.Accepted, _acceptor.AcceptedBallot, _acceptor.Promised);
        if (!_acceptor.Accept(ballot, ring, replaces))
        {
            // Below this node's promise (another manager collected the rings since), behind what it applied, or another
            // ring at (or below) the epoch it accepted: tell the manager what this node holds.
            Sender.Tell(LastRing(ballot, refused: ballot < _acceptor.Promised));
            return;
        }
        if (before != (_acceptor.Accepted, _acceptor.AcceptedBallot, _acceptor.Promised) && !Save()) return;
        Sender.Tell(new RingAccepted { Node = _self.Value, Epoch = ring.Epoch });
    }

    /// <summary>Persists the acceptor before it answers; false (logged, no answer) when it cannot, since an answer would be a promise it could lose.</summary>
    private bool Save()
    {
        var record = new AcceptorRecord
        {
            Promised = _acceptor.Promised.ToProto(),
            Accepted = RingWire.ToProtoOrNull(_acceptor.Accepted),
            AcceptedBallot = _acceptor.AcceptedBallot.ToProto(),
            AppliedBallot = _acceptor.AppliedBallot.ToProto(),
            AcceptedReplaces = { RingWire.ToProto(_acceptor.AcceptedReplaces) },
        };
        try
        {
            RingFile.WriteAcceptor(_acceptedFile, record);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("The ring promise and accepted ring could not be saved to {0}, so this node does not answer: {1}", _acceptedFile, e.Message);
            // Reload what is on disk so memory never runs ahead of the file.
            LoadAcceptor();
            return false;
        }
    }

    private void OnPublished(RingPublished message)
    {
        if (Parse(message.Ring, "published") is not { } ring) return;
        if (_ring is { } current && ring.Epoch <= current.Epoch)
        {
            // Equal: a republication. Lower: a manager that is behind; tell it where this node is.
            if (ring.Epoch < current.Epoch) Sender.Tell(LastRing());
            return;
        }
        try
        {
            RingFile.Write(_file, ring);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Applied anyway: the other nodes keep the ring too, and refusing it would leave this node fenced out.
            _log.Error("Ring epoch {0} is applied but could not be saved to {1}: {2}", ring.Epoch, _file, e.Message);
        }
        var previous = _ring;
        SetRing(ring);
        _acceptor.Applied(ring.Epoch, RingBallot.FromProto(message.Ballot));
        Save(); // the applied ring's ballot (and the promise it raises); a failure is logged, the ring is applied anyway
        Context.System.EventStream.Publish(new RingApplied(ring, previous));
        if (!Sender.IsNobody()) Context.System.EventStream.Publish(new ActingManager(Sender));
        var reply = Reply();
        foreach (var subscriber in _subscribers.Live(_clock.Elapsed)) subscriber.Tell(reply);
    }

    private void OnSubscribe(SubscribeRing subscribe)
    {
        if (Sender.IsNobody()) return;
        // Clamped before it becomes a TimeSpan: any int64 from the wire must be a lease, never an overflow.
        var leaseMs = Math.Clamp(subscribe.LeaseMs, 0, (long)RingSubscribers.MaxLease.TotalMilliseconds);
        _subscribers.Subscribe(Sender, TimeSpan.FromMilliseconds(leaseMs), _clock.Elapsed);
        if (subscribe.LeaseMs > 0) Sender.Tell(Reply());
    }

    /// <summary>The ring in a message, or null (with a warning when it does not parse) when it is absent, damaged or refused.</summary>
    private RingState? Parse(RingMap? proto, string what)
    {
        if (_refused || proto is null) return null;
        RingState ring;
        try
        {
            ring = RingWire.FromProto(proto);
        }
        catch (FormatException e)
        {
            _log.Warning("A {0} ring from {1} was ignored: {2}", what, Sender.Path, e.Message);
            return null;
        }
        return Refuses(ring) ? null : ring;
    }

    /// <summary>
    /// The newest ring this node stored (the accepted one when there is one, always above the applied one, else the
    /// applied one) with its promise, answering a request under <paramref name="answers"/> (null: no request).
    /// </summary>
    private LastRingReply LastRing(RingBallot? answers = null, bool refused = false) => new()
    {
        Replaces = { RingWire.ToProto(_acceptor.AcceptedReplaces) },
        Node = _self.Value,
        Ring = _acceptor.Accepted is { } accepted ? RingWire.ToProto(accepted) : _ringProto,
        AcceptedBallot = (_acceptor.Accepted is null ? _acceptor.AppliedBallot : _acceptor.AcceptedBallot).ToProto(),
        Promised = _acceptor.Promised.ToProto(),
        Answers = answers?.ToProto(),
        Refused = refused,
    };

    private RingReply Reply() => new()
    {
        Ring = _ringProto,
        Status = _ring is null ? $"{_self} has applied no ring yet." : "",
    };

    /// <summary>True when the ring has another partition count than this node: it is refused and the node shut down.</summary>
    private bool Refuses(RingState ring)
    {
        if (PartitionCountRule.Mismatch(_settings.Partitions, ring.PartitionCount) is not { } mismatch) return false;
        if (!_refused)
        {
            _refused = true;
            _log.Error(mismatch);
            CoordinatedShutdown.Get(Context.System).Run(PartitionCountMismatchReason.Instance);
        }
        return true;
    }

    private void SetRing(RingState ring)
    {
        _ring = ring;
        _ringProto = RingWire.ToProto(ring);
    }
}
