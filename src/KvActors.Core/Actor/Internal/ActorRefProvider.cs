using System.Collections.Concurrent;

namespace KvActors.Actor.Internal;

/// <summary>
/// Makes and finds actor references: owns the guardians, dead letters and the /temp registry,
/// and turns paths into references. Local-only here; remoting subclasses it to resolve paths
/// on other systems and to add the system's network address.
/// </summary>
public class ActorRefProvider
{
    private readonly ConcurrentDictionary<string, InternalActorRef> _temp = new(StringComparer.Ordinal);
    private long _tempNumber;

    public ActorRefProvider(ActorSystem system)
    {
        System = system;
        RootPath = new RootActorPath(Address.Local(system.Name));
    }

    public ActorSystem System { get; }

    /// <summary>The root of every local actor's path (kvactors://name).</summary>
    public RootActorPath RootPath { get; }

    /// <summary>The address other systems reach this one at; the local address when not remote.</summary>
    public virtual Address DefaultAddress => RootPath.Address;

    public LocalActorRef RootGuardian { get; private set; } = null!;
    public LocalActorRef UserGuardian { get; private set; } = null!;
    public LocalActorRef SystemGuardian { get; private set; } = null!;
    public InternalActorRef DeadLetters { get; private set; } = null!;

    internal void CreateGuardians(Action onRootTerminated)
    {
        DeadLetters = new DeadLetterActorRef(RootPath / "deadLetters", System);
        var rootParent = new RootParentRef(RootPath / "bubble-walker", onRootTerminated);
        RootGuardian = new LocalActorRef(System, Props.Create(() => new GuardianActor(SupervisorStrategy.StoppingStrategy)).WithMailbox(Dispatch.MailboxType.Unbounded), rootParent, RootPath);
        RootGuardian.Cell.Start();
        UserGuardian = (LocalActorRef)RootGuardian.Cell.ActorOf(Props.Create(() => new GuardianActor(SupervisorStrategy.DefaultStrategy)).WithMailbox(Dispatch.MailboxType.Unbounded), "user");
        SystemGuardian = (LocalActorRef)RootGuardian.Cell.ActorOf(Props.Create(() => new GuardianActor(SupervisorStrategy.DefaultStrategy)).WithMailbox(Dispatch.MailboxType.Unbounded), "system");
    }

    /// <summary>Called once the guardians run; remoting binds its transport here.</summary>
    public virtual void Start() { }

    /// <summary>Called after every actor has stopped; remoting closes its transport here.</summary>
    public virtual Task ShutdownAsync() => Task.CompletedTask;

    public ActorPath TempPath() => RootPath / "temp" / ("$" + ActorNames.Base64(Interlocked.Increment(ref _tempNumber)));

    public void RegisterTempActor(InternalActorRef actor) => _temp[actor.Path.Name] = actor;

    public void UnregisterTempActor(ActorPath path) => _temp.TryRemove(path.Name, out _);

    /// <summary>True when <paramref name="address"/> names this system.</summary>
    public virtual bool IsLocalAddress(Address address) => address.Equals(RootPath.Address);

    public InternalActorRef ResolveActorRef(string path) =>
        ActorPath.TryParse(path, out var parsed) ? ResolveActorRef(parsed) : (InternalActorRef)System.DeadLetters;

    /// <summary>The actor at the path now, or a reference that dead-letters (and answers Watch at once).</summary>
    public virtual InternalActorRef ResolveActorRef(ActorPath path) =>
        IsLocalAddress(path.Address) ? ResolveLocal(path) : new EmptyLocalActorRef(path, System);

    /// <summary>The root guardian of the system at <paramref name="address"/>: the anchor of a selection.</summary>
    public virtual InternalActorRef RootGuardianAt(Address address) =>
        IsLocalAddress(address) ? RootGuardian : new EmptyLocalActorRef(new RootActorPath(address), System);

    protected InternalActorRef ResolveLocal(ActorPath path)
    {
        var elements = path.Elements;
        if (elements.Count == 0) return RootGuardian;
        if (elements is ["temp", var name]) return _temp.TryGetValue(name, out var temp) ? temp : new EmptyLocalActorRef(path, System);
        if (elements is ["deadLetters"]) return DeadLetters;
        InternalActorRef current = RootGuardian;
        foreach (var element in elements)
        {
            var next = current.GetChild(element);
            if (next is null) return new EmptyLocalActorRef(path, System);
            current = next;
        }
        // A uid in the path pins one incarnation: a newer actor with the same name is someone else.
        return path.Uid == ActorPath.UndefinedUid || path.Uid == current.Path.Uid ? current : new EmptyLocalActorRef(path, System);
    }
}
