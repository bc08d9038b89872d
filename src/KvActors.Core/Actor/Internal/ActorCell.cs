using KvActors.Dispatch;
using KvActors.Event;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor.Internal;

/// <summary>
/// The runtime side of one actor: its mailbox, current instance, behaviour stack, children,
/// watches and timers. Everything here runs on the actor's own turn (one thread at a time),
/// except what is marked otherwise. Rarely used state is allocated on first use, so an idle
/// actor stays small.
/// </summary>
public sealed partial class ActorCell : IActorContext
{
    [ThreadStatic] private static ActorCell? _current;

    private readonly ActorSystem _system;
    private readonly LocalActorRef _self;
    private readonly InternalActorRef _parent;
    private readonly Props _props;
    private ActorBase? _actor;
    private Envelope _currentEnvelope;
    private List<Receive>? _behaviors; // null = the instance's own Receive
    private CellState _state;

    private enum CellState : byte { Created, Running, Terminating, Terminated }

    internal ActorCell(ActorSystem system, LocalActorRef self, Props props, InternalActorRef parent)
    {
        _system = system;
        _self = self;
        _props = props;
        _parent = parent;
        Mailbox = new Mailbox(this, system.Dispatcher, props.Mailbox);
    }

    /// <summary>The cell whose actor is running on this thread, if any.</summary>
    internal static ActorCell? Current => _current;

    internal Mailbox Mailbox { get; }
    internal bool IsCreatingActor { get; private set; }
    internal bool IsTerminated => _state == CellState.Terminated;
    internal ActorBase? Actor => _actor;

    public IActorRef Self => _self;
    internal LocalActorRef SelfRef => _self;
    public IActorRef? Sender => _currentEnvelope.Sender;
    public IActorRef Parent => _parent;
    internal InternalActorRef ParentRef => _parent;
    public Props Props => _props;
    public ActorSystem System => _system;
    public ILogger Log => _system.LoggerFor(_props.ActorType);
    internal object? CurrentMessage => _currentEnvelope.Message;

    internal void Start() => Mailbox.SystemEnqueue(new Create());

    // ---- behaviour ----

    public void Become(Receive receive)
    {
        _behaviors ??= new List<Receive>(2);
        if (_behaviors.Count > 0) _behaviors[^1] = receive;
        else _behaviors.Add(receive);
    }

    public void BecomeStacked(Receive receive) => (_behaviors ??= new List<Receive>(2)).Add(receive);

    public void UnbecomeStacked()
    {
        if (_behaviors is { Count: > 0 }) _behaviors.RemoveAt(_behaviors.Count - 1);
    }

    // ---- user messages ----

    /// <summary>Processes one user message on the actor's turn.</summary>
    internal void Invoke(in Envelope envelope)
    {
        var previous = _current;
        _current = this;
        _currentEnvelope = envelope;
        try
        {
            var message = envelope.Message;
            if (message is IAutoReceivedMessage) AutoReceive(message);
            else ReceiveMessage(message);
            if (_extras is { ReceiveTimeout: not null } x && !(message is ReceiveTimeoutTick tick && tick.Generation != x.ReceiveTimeoutGeneration))
                RestartReceiveTimeout(); // any message but a stale tick restarts the idle clock
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _currentEnvelope = default;
            _current = previous;
        }
    }

    internal void ReceiveMessage(object message)
    {
        var actor = _actor;
        if (actor is null) return; // stopped or failed during creation: nothing to run
        var handled = _behaviors is { Count: > 0 } b ? b[^1](message) : actor.Receive(message);
        if (!handled) actor.UnhandledInternal(message);
    }

    private void AutoReceive(object message)
    {
        switch (message)
        {
            case Terminated t:
                // Delivered only if still watched: an Unwatch after queueing cancels it.
                if (_watch?.TerminatedQueued.Remove(t.ActorRef) == true) ReceiveMessage(t);
                break;
            case PoisonPill:
                Stop(_self);
                break;
            case Kill:
                throw new ActorKilledException($"{_self.Path} received Kill.");
            case Identify identify:
                Sender?.Tell(new ActorIdentity(identify.MessageId, _self), _self);
                break;
            case TimerMessage timer:
                HandleTimerMessage(timer);
                break;
            case ReceiveTimeoutTick tick:
                HandleReceiveTimeoutTick(tick);
                break;
            case ActorSelectionMessage selection:
                selection.DeliverFrom(this);
                break;
            default:
                ReceiveMessage(message);
                break;
        }
    }

    /// <summary>A message that could not be queued (closed or full mailbox): to dead letters.</summary>
    internal void OnUndeliverable(in Envelope envelope, bool overflow)
    {
        // A dead letter (or drop) that cannot reach a subscriber is not published again, as in
        // Akka: republishing it to the same stopped (or full) subscriber recursed until the
        // stack overflowed.
        if (envelope.Message is DeathWatchNotification or DeadLetter or Dropped) return;
        _system.DeadLetters.Tell(overflow
            ? new Dropped(envelope.Message, "mailbox full", envelope.Sender, _self)
            : new DeadLetter(envelope.Message, envelope.Sender, _self), envelope.Sender);
    }

    // ---- system messages ----

    internal void SystemInvoke(SystemMessage message)
    {
        var previous = _current;
        _current = this;
        try
        {
            switch (message)
            {
                case Create: CreateActor(); break;
                case Watch w: HandleWatch(w); break;
                case Unwatch u: HandleUnwatch(u); break;
                case DeathWatchNotification n: HandleDeathWatchNotification(n); break;
                case Failed f: HandleFailed(f); break;
                case Terminate: HandleTerminate(); break;
                case Recreate r: FaultRecreate(r.Cause); break;
                case Suspend: FaultSuspend(); break;
                case Resume r: FaultResume(r.CausedByFailure); break;
                case RunContinuation c: RunContinuationInside(c); break;
                case AsyncHandlerCompleted a: OnAsyncHandlerCompleted(a.Task); break;
                case AddressTerminatedNotice a: HandleAddressTerminated(a.Address); break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _current = previous;
        }
    }

    private void CreateActor()
    {
        if (_state != CellState.Created) return;
        try
        {
            var actor = NewActorInstance();
            _state = CellState.Running;
            actor.AroundPreStart();
        }
        catch (Exception e)
        {
            _actor = null;
            HandleInvokeFailure(new ActorInitializationException(_self, $"Exception while creating {_self.Path}: {e.Message}", e));
        }
    }

    private ActorBase NewActorInstance()
    {
        IsCreatingActor = true;
        try
        {
            _behaviors = null;
            var actor = _props.NewActor();
            if (actor is ReceiveActor receiveActor) receiveActor.FinishConstruction();
            if (actor is IWithUnboundedStash withStash) withStash.Stash = new StashHandle(this);
            if (actor is IWithTimers withTimers) withTimers.Timers = new TimerScheduler(this);
            _actor = actor;
            return actor;
        }
        finally
        {
            IsCreatingActor = false;
        }
    }

    public override string ToString() => $"ActorCell({_self.Path})";
}
