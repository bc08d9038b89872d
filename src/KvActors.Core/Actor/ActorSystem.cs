using System.Collections.Concurrent;
using KvActors.Actor.Internal;
using KvActors.Dispatch;
using KvActors.Event;
using KvActors.Hocon;
using KvActors.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvActors.Actor;

/// <summary>
/// A tree of actors with its dispatcher, scheduler, event stream and shutdown sequence.
/// Create one per process (or per node in tests); stop it with <see cref="Terminate"/>.
/// </summary>
public sealed class ActorSystem : IDisposable
{
    private readonly ConcurrentDictionary<Type, ILogger> _loggers = new();
    private readonly ConcurrentDictionary<Type, object> _extensions = new();
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashedWheelScheduler _scheduler;
    private readonly object _terminateGate = new();
    private Task? _finalTerminate;

    private ActorSystem(string name, Config config, ActorSystemSetup setup)
    {
        Name = name;
        Settings = new Settings(config);
        LoggerFactory = setup.LoggerFactory ?? NullLoggerFactory.Instance;
        Log = LoggerFactory.CreateLogger("KvActors.ActorSystem");
        Dispatcher = new Dispatcher(Settings.Throughput);
        EventStream = new EventStream();
        _scheduler = new HashedWheelScheduler(Settings.SchedulerTickDuration, Settings.SchedulerTicksPerWheel, Log, name);
        CoordinatedShutdown = new CoordinatedShutdown(this, config);
        Provider = (setup.ProviderFactory ?? ProviderFromConfig)(this);
        Provider.CreateGuardians(OnRootTerminated);
        StartSystemActors();
        Provider.Start();
    }

    /// <summary>Creates and starts a system. <paramref name="config"/> falls back to hocon/reference.conf.</summary>
    public static ActorSystem Create(string name, Config? config = null, ActorSystemSetup? setup = null)
    {
        ValidateName(name);
        var full = (config ?? Config.Empty).WithFallback(Config.Reference);
        return new ActorSystem(name, full, setup ?? ActorSystemSetup.Empty);
    }

    public string Name { get; }
    public Settings Settings { get; }
    public Config Config => Settings.Config;
    public ILoggerFactory LoggerFactory { get; }
    public ILogger Log { get; }
    public EventStream EventStream { get; }
    public IScheduler Scheduler => _scheduler;
    public ActorRefProvider Provider { get; }
    public CoordinatedShutdown CoordinatedShutdown { get; }
    public IActorRef DeadLetters => Provider.DeadLetters;
    internal Dispatcher Dispatcher { get; }

    /// <summary>Completes when every actor has stopped and the system is shut down.</summary>
    public Task WhenTerminated => _terminated.Task;

    public bool IsTerminated => _terminated.Task.IsCompleted;

    /// <summary>True from the moment termination started.</summary>
    public bool IsTerminating => _finalTerminate is not null || CoordinatedShutdown.Reason is not null;

    /// <summary>Creates a top-level actor under /user.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => Provider.UserGuardian.Cell.ActorOf(props, name);

    /// <summary>Creates an actor under /system (infrastructure that must outlive user actors).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => Provider.SystemGuardian.Cell.ActorOf(props, name);

    /// <summary>Stops an actor asynchronously.</summary>
    public void Stop(IActorRef actor) => (actor as InternalActorRef)?.Stop();

    /// <summary>
    /// A selection by path: absolute ("kvactors.tcp://sys@host:port/user/a"), or from this
    /// system's root ("/user/a/*").
    /// </summary>
    public ActorSelection ActorSelection(string path)
    {
        if (path.Contains("://", StringComparison.Ordinal))
        {
            if (!Address.TryParse(path, out var address))
                throw new ArgumentException($"'{path}' is not an actor path.", nameof(path));
            var slash = path.IndexOf('/', path.IndexOf("://", StringComparison.Ordinal) + 3);
            var rest = slash < 0 ? "" : path[slash..];
            return new ActorSelection(Provider.RootGuardianAt(address), SplitElements(rest));
        }
        return new ActorSelection(Provider.RootGuardian, SplitElements(path));
    }

    private static string[] SplitElements(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Shuts the system down. Runs the coordinated shutdown first when
    /// kvactors.coordinated-shutdown.run-by-actor-system-terminate is on.
    /// </summary>
    public Task Terminate()
    {
        if (CoordinatedShutdown.RunByActorSystemTerminate && CoordinatedShutdown.TerminateActorSystem)
        {
            _ = CoordinatedShutdown.Run(new ShutdownReason.ActorSystemTerminate());
            return WhenTerminated;
        }
        return FinalTerminate();
    }

    /// <summary>Stops user actors, then system actors, then the root; then the provider and scheduler.</summary>
    internal Task FinalTerminate()
    {
        lock (_terminateGate) return _finalTerminate ??= Task.Run(StopTree);
    }

    private async Task StopTree()
    {
        await StopAndWait(Provider.UserGuardian).ConfigureAwait(false);
        await StopAndWait(Provider.SystemGuardian).ConfigureAwait(false);
        Provider.RootGuardian.Stop();
        await WhenTerminated.ConfigureAwait(false);
    }

    /// <summary>Stops an actor and completes when its DeathWatch notification arrives.</summary>
    internal Task StopAndWait(InternalActorRef actor)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = new FunctionRef(Provider.TempPath(), (_, _) => { }, m =>
        {
            if (m is DeathWatchNotification) done.TrySetResult();
        });
        actor.SendSystemMessage(new Watch(actor, watcher));
        actor.Stop();
        return done.Task;
    }

    private void OnRootTerminated()
    {
        _ = Task.Run(async () =>
        {
            try { await Provider.ShutdownAsync().ConfigureAwait(false); }
            catch (Exception e) { Log.LogWarning(e, "Provider shutdown failed: {Message}", e.Message); }
            _scheduler.Dispose();
            Log.LogInformation("Actor system {System} terminated.", Name);
            _terminated.TrySetResult();
        });
    }

    private void StartSystemActors()
    {
        // Infrastructure keeps unbounded mailboxes whatever the configured default: a bounded
        // dead-letter listener would publish its own overflow back to itself.
        EventStream.StartUnsubscriber(SystemActorOf(Props.Create(() => new EventStreamUnsubscriber(EventStream)).WithMailbox(MailboxType.Unbounded), "eventStreamUnsubscriber"));
        if (Settings.LogDeadLetters > 0)
        {
            var listener = SystemActorOf(Props.Create(() => new DeadLetterListener(
                new DeadLetterLogLimiter(Settings.LogDeadLetters, Settings.LogDeadLettersSuspendDuration), this)).WithMailbox(MailboxType.Unbounded), "deadLetterListener");
            EventStream.Subscribe(listener, typeof(DeadLetter));
            EventStream.Subscribe(listener, typeof(Dropped));
        }
    }

    /// <summary>Short names for the providers of the upper layers, which this assembly cannot reference.</summary>
    private static readonly Dictionary<string, string> ProviderAliases = new()
    {
        ["remote"] = "KvActors.Remote.RemoteActorRefProvider, KvActors.Remote",
        ["cluster"] = "KvActors.Cluster.ClusterActorRefProvider, KvActors.Cluster",
    };

    private ActorRefProvider ProviderFromConfig(ActorSystem system)
    {
        if (Settings.Provider == "local") return new ActorRefProvider(system);
        var typeName = ProviderAliases.GetValueOrDefault(Settings.Provider, Settings.Provider);
        var type = Type.GetType(typeName)
            ?? throw new ArgumentException($"kvactors.actor.provider: cannot load provider type '{typeName}' (is its assembly referenced?).");
        return (ActorRefProvider)Activator.CreateInstance(type, system)!;
    }

    /// <summary>One instance per system of an extension (remoting, cluster...), made on first use.</summary>
    public T GetOrRegisterExtension<T>(Func<ActorSystem, T> factory) where T : class =>
        (T)_extensions.GetOrAdd(typeof(T), _ => factory(this));

    public T? GetExtension<T>() where T : class => _extensions.TryGetValue(typeof(T), out var e) ? (T)e : null;

    internal ILogger LoggerFor(Type actorType) => _loggers.GetOrAdd(actorType, t => LoggerFactory.CreateLogger(t.FullName ?? t.Name));

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Actor system name '{name}' is invalid: use ASCII letters, digits, '-' and '_', starting with a letter or digit.", nameof(name));
    }

    public void Dispose()
    {
        if (!Terminate().Wait(TimeSpan.FromSeconds(30)))
            Log.LogWarning("Actor system {System} did not terminate within 30 s.", Name);
    }

    public override string ToString() => $"ActorSystem({Name})";
}
