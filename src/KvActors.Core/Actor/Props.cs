using KvActors.Dispatch;

namespace KvActors.Actor;

/// <summary>
/// An immutable recipe for an actor: how to make an instance (called again on every restart),
/// which mailbox it gets, and optionally the strategy it uses for its own children.
/// </summary>
public sealed class Props
{
    private Props(Type actorType, Func<ActorBase> factory, MailboxType mailbox, SupervisorStrategy? supervisorStrategy)
    {
        ActorType = actorType;
        Factory = factory;
        Mailbox = mailbox;
        SupervisorStrategy = supervisorStrategy;
    }

    public Type ActorType { get; }
    public MailboxType Mailbox { get; }

    /// <summary>Overrides the actor's own SupervisorStrategy() for its children, when set.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    internal Func<ActorBase> Factory { get; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() =>
        new(typeof(TActor), static () => new TActor(), MailboxType.Default, null);

    /// <summary>Props from a factory; it runs on each (re)start, so it must make a fresh instance each time.</summary>
    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase =>
        new(typeof(TActor), factory, MailboxType.Default, null);

    public Props WithMailbox(MailboxType mailbox) => new(ActorType, Factory, mailbox, SupervisorStrategy);
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => new(ActorType, Factory, Mailbox, strategy);

    internal ActorBase NewActor()
    {
        ActorBase? actor;
        try
        {
            actor = Factory();
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            // new TActor() runs through Activator, which wraps what the constructor threw:
            // unwrap it so supervisors and logs see the actor's own exception.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
        return actor ?? throw new InvalidOperationException($"The factory in Props for {ActorType.Name} returned null.");
    }

    public override string ToString() => $"Props({ActorType.Name}, {Mailbox})";
}
