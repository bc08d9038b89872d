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
/// <item><c>RingProposed</c>: the manager's two-phase publication, first phase. A ring above the applied one, and not
/// below (nor, with other content, at) the accepted one, is saved as accepted and answered with <c>RingAccepted</c>;
/// it is not applied. Any other is answered with <c>LastRingReply</c>, so the manager learns what this node holds.
/// Because the manager publishes only rings a majority has accepted, and a new manager reads the newest ring of a
/// majority, a ring that took effect anywhere is never lost with its manager; a manager cut off from the majority
/// (still a singleton on its side until the split-brain resolver acts) gets nothing applied.</item>
/// <item><c>RingPublished</c>: applies a ring only with a higher epoch than its own (fencing). It writes the file first,
/// then publishes <see cref="RingApplied"/> on the EventStream. An older ring is answered with <c>LastRingReply</c>, so
/// the manager learns that it is behind. A ring of another partition count than <see cref="RingSettings.Partitions"/> is
/// refused: one error line and CoordinatedShutdown with <see cref="PartitionCountMismatchReason"/>.</item>
/// <item><c>LastRingRequest</c> (a starting RingManager): answers <c>LastRingReply</c> with the newest ring it stored
/// (accepted or applied).</item>
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
    // A proposed ring above _ring, stored but not applied; null when none.
    private RingState? _accepted;
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
        Receive<LastRingRequest>(_ => Sender.Tell(LastRing()));
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
        var accepted = RingFile.Read(_acceptedFile);
        if (accepted.Problem is not null) _log.Warning(accepted.Problem);
        if (accepted.Ring is { } proposed && proposed.Epoch > (_ring?.Epoch ?? -1) && !Refuses(proposed)) _accepted = proposed;
    }

    private void OnProposed(RingProposed message)
    {
        if (Parse(message.Ring, "proposed") is not { } ring) return;
        var above = ring.Epoch > (_ring?.Epoch ?? -1);
        var fits = _accepted is not { } accepted || ring.Epoch > accepted.Epoch || ring.Equals(accepted);
        if (!above || !fits)
        {
            // Behind what this node applied, or another ring at (or below) the epoch it accepted: a manager that does
            // not know what this node holds. One ring per epoch is ever accepted here, so two managers cannot both
            // get a majority for different rings at one epoch.
            Sender.Tell(LastRing());
            return;
        }
        if (!ring.Equals(_accepted))
        {
            try
            {
                RingFile.Write(_acceptedFile, ring);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not accepted: this node could not keep the promise its acceptance makes.
                _log.Error("Proposed ring epoch {0} is not accepted: it could not be saved to {1}: {2}", ring.Epoch, _acceptedFile, e.Message);
                return;
            }
            _accepted = ring;
        }
        Sender.Tell(new RingAccepted { Node = _self.Value, Epoch = ring.Epoch });
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
        if (_accepted is { } accepted && accepted.Epoch <= ring.Epoch)
        {
            _accepted = null;
            try
            {
                File.Delete(_acceptedFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Harmless: an accepted ring at or below the applied one is ignored when the file is read.
                _log.Warning("The accepted ring file {0} could not be deleted: {1}", _acceptedFile, e.Message);
            }
        }
        Context.System.EventStream.Publish(new RingApplied(ring, previous));
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

    /// <summary>The newest ring this node stored: the accepted one when there is one (always above the applied one), else the applied one.</summary>
    private LastRingReply LastRing() => new() { Node = _self.Value, Ring = _accepted is { } accepted ? RingWire.ToProto(accepted) : _ringProto };

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
