using KvActors.Actor.Internal;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor;

/// <summary>
/// How a parent answers its children's failures. <see cref="OneForOneStrategy"/> applies the
/// decision to the failed child only, <see cref="AllForOneStrategy"/> to all its siblings too.
/// A child that needs more than MaxNrOfRetries restarts within the window is stopped.
/// </summary>
public abstract class SupervisorStrategy
{
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled)
    {
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider;
        LoggingEnabled = loggingEnabled;
    }

    /// <summary>-1 = unlimited.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>null = no window (count restarts forever).</summary>
    public TimeSpan? WithinTimeRange { get; }

    public Func<Exception, Directive> Decider { get; }
    public bool LoggingEnabled { get; }

    /// <summary>Akka's default decisions: stop on initialization failure, Kill and death pacts; restart otherwise.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    public static readonly SupervisorStrategy DefaultStrategy = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops the child on any failure (used by the guardians' parent).</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Applies the decision; returns false for Escalate (the supervisor must fail itself).</summary>
    internal bool HandleFailure(ActorCell supervisor, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyList<(IActorRef Child, ChildRestartStats Stats)> children, long nowMs)
    {
        var directive = Decider(cause);
        if (LoggingEnabled && directive != Directive.Escalate)
            LogFailure(supervisor, child, cause, directive);
        switch (directive)
        {
            case Directive.Resume:
                ResumeChild(child, cause);
                return true;
            case Directive.Restart:
                ProcessFailure(supervisor, restart: true, child, stats, cause, children, nowMs);
                return true;
            case Directive.Stop:
                ProcessFailure(supervisor, restart: false, child, stats, cause, children, nowMs);
                return true;
            default:
                return false;
        }
    }

    protected static void ResumeChild(IActorRef child, Exception cause) =>
        ((InternalActorRef)child).SendSystemMessage(new Resume(cause));

    protected static void RestartChild(IActorRef child, Exception cause, bool suspendFirst)
    {
        var c = (InternalActorRef)child;
        if (suspendFirst) c.SendSystemMessage(new Suspend());
        c.SendSystemMessage(new Recreate(cause));
    }

    /// <summary>Restarts or stops; a restart that exceeds the retry budget becomes a stop.</summary>
    internal abstract void ProcessFailure(ActorCell supervisor, bool restart, IActorRef child, ChildRestartStats stats, Exception cause, IReadOnlyList<(IActorRef Child, ChildRestartStats Stats)> children, long nowMs);

    private static void LogFailure(ActorCell supervisor, IActorRef child, Exception cause, Directive directive)
    {
        var level = directive == Directive.Resume ? LogLevel.Warning : LogLevel.Error;
        supervisor.System.Log.Log(level, cause, "{Child} failed ({Directive}): {Message}", child.Path, directive, cause.Message);
    }
}

/// <summary>The decision applies to the failed child only.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    public OneForOneStrategy(Func<Exception, Directive> decider) : this(-1, null, decider) { }

    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled = true)
        : base(maxNrOfRetries, withinTimeRange, decider, loggingEnabled) { }

    internal override void ProcessFailure(ActorCell supervisor, bool restart, IActorRef child, ChildRestartStats stats, Exception cause, IReadOnlyList<(IActorRef Child, ChildRestartStats Stats)> children, long nowMs)
    {
        if (restart && stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, nowMs)) RestartChild(child, cause, suspendFirst: false);
        else supervisor.Stop(child);
    }
}

/// <summary>The decision applies to every child of the supervisor, for children that depend on each other.</summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    public AllForOneStrategy(Func<Exception, Directive> decider) : this(-1, null, decider) { }

    public AllForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider, bool loggingEnabled = true)
        : base(maxNrOfRetries, withinTimeRange, decider, loggingEnabled) { }

    internal override void ProcessFailure(ActorCell supervisor, bool restart, IActorRef child, ChildRestartStats stats, Exception cause, IReadOnlyList<(IActorRef Child, ChildRestartStats Stats)> children, long nowMs)
    {
        if (children.Count == 0) return;
        // Every sibling must still be within its budget, or all of them stop.
        var allowed = restart;
        foreach (var (_, s) in children) allowed &= s.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, nowMs);
        if (allowed)
        {
            foreach (var (c, _) in children) RestartChild(c, cause, suspendFirst: !c.Equals(child));
        }
        else
        {
            foreach (var (c, _) in children) supervisor.Stop(c);
        }
    }
}
