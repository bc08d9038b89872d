using KvActors.Hocon;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor;

/// <summary>Why a coordinated shutdown ran.</summary>
public abstract record ShutdownReason(string Name)
{
    public sealed record ActorSystemTerminate() : ShutdownReason("actor-system-terminate");
    public sealed record ProcessSignal(string Signal) : ShutdownReason($"signal {Signal}");
    public sealed record ClusterLeaving() : ShutdownReason("cluster-leaving");
    public sealed record ClusterDowning() : ShutdownReason("cluster-downing");
    public sealed record Custom(string Why) : ShutdownReason(Why);
}

/// <summary>
/// Stops a node in order: named phases (from kvactors.coordinated-shutdown.phases) run one after
/// another in dependency order; the tasks of one phase run concurrently and the phase waits for
/// them up to its timeout. The last phase terminates the actor system. Runs once: later calls
/// return the same task.
/// </summary>
public sealed class CoordinatedShutdown
{
    public const string PhaseBeforeServiceUnbind = "before-service-unbind";
    public const string PhaseServiceUnbind = "service-unbind";
    public const string PhaseServiceRequestsDone = "service-requests-done";
    public const string PhaseServiceStop = "service-stop";
    public const string PhaseBeforeClusterShutdown = "before-cluster-shutdown";
    public const string PhaseClusterLeave = "cluster-leave";
    public const string PhaseClusterExiting = "cluster-exiting";
    public const string PhaseClusterExitingDone = "cluster-exiting-done";
    public const string PhaseClusterShutdown = "cluster-shutdown";
    public const string PhaseBeforeActorSystemTerminate = "before-actor-system-terminate";
    public const string PhaseActorSystemTerminate = "actor-system-terminate";

    private readonly ActorSystem _system;
    private readonly Dictionary<string, Phase> _phases;
    private readonly List<string> _ordered;
    private readonly Dictionary<string, List<(string Name, Func<Task> Run)>> _tasks = new();
    private readonly object _gate = new();
    private Task? _running;

    public sealed record Phase(IReadOnlyList<string> DependsOn, TimeSpan Timeout, bool Recover, bool Enabled);

    internal CoordinatedShutdown(ActorSystem system, Config config)
    {
        _system = system;
        var section = config.GetConfig("kvactors.coordinated-shutdown");
        var defaultTimeout = section.GetTimeSpan("default-phase-timeout");
        _phases = new Dictionary<string, Phase>();
        foreach (var name in section.GetKeys("phases"))
        {
            var p = section.GetConfig("phases").GetConfig(name);
            _phases[name] = new Phase(
                p.HasPath("depends-on") ? p.GetStringList("depends-on") : [],
                p.GetTimeSpan("timeout", defaultTimeout),
                p.GetBool("recover", true),
                p.GetBool("enabled", true));
        }
        _ordered = TopologicalSort(_phases);
        TerminateActorSystem = section.GetBool("terminate-actor-system");
        RunByActorSystemTerminate = section.GetBool("run-by-actor-system-terminate");
    }

    public bool TerminateActorSystem { get; }
    public bool RunByActorSystemTerminate { get; }
    public IReadOnlyList<string> OrderedPhases => _ordered;
    public ShutdownReason? Reason { get; private set; }

    /// <summary>Adds a task to a phase; it must finish within the phase's timeout.</summary>
    public void AddTask(string phase, string taskName, Func<Task> task)
    {
        if (!_phases.ContainsKey(phase))
            throw new ArgumentException($"Unknown coordinated-shutdown phase '{phase}': known phases are {string.Join(", ", _ordered)}.", nameof(phase));
        lock (_gate)
        {
            if (_running is not null) throw new InvalidOperationException($"Cannot add task '{taskName}': shutdown is already running.");
            if (!_tasks.TryGetValue(phase, out var list)) _tasks[phase] = list = [];
            list.Add((taskName, task));
        }
    }

    /// <summary>Runs every phase from the first; a second call returns the first call's task.</summary>
    public Task Run(ShutdownReason reason)
    {
        lock (_gate)
        {
            if (_running is not null) return _running;
            Reason = reason;
            _running = Task.Run(() => RunPhases(reason));
            return _running;
        }
    }

    private async Task RunPhases(ShutdownReason reason)
    {
        _system.Log.LogInformation("Coordinated shutdown of {System} starting ({Reason}).", _system.Name, reason.Name);
        foreach (var name in _ordered)
        {
            var phase = _phases[name];
            if (!phase.Enabled) continue;
            List<(string Name, Func<Task> Run)> tasks;
            lock (_gate) tasks = _tasks.TryGetValue(name, out var t) ? [.. t] : [];
            if (name == PhaseActorSystemTerminate && TerminateActorSystem)
                tasks.Add(("terminate-actor-system", () => _system.FinalTerminate()));
            if (tasks.Count == 0) continue;
            var all = Task.WhenAll(tasks.Select(t => RunOne(name, t.Name, t.Run)));
            var finished = await Task.WhenAny(all, Task.Delay(phase.Timeout)).ConfigureAwait(false);
            if (finished != all)
            {
                _system.Log.LogWarning("Coordinated shutdown phase [{Phase}] timed out after {Ms} ms.", name, (long)phase.Timeout.TotalMilliseconds);
                if (!phase.Recover)
                {
                    // The remaining phases are skipped, but a node that started shutting down must still stop.
                    _system.Log.LogWarning("Phase [{Phase}] does not recover: skipping the remaining phases.", name);
                    if (TerminateActorSystem) await _system.FinalTerminate().ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    private async Task RunOne(string phase, string name, Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _system.Log.LogWarning(e, "Coordinated shutdown task [{Task}] in phase [{Phase}] failed: {Message}", name, phase, e.Message);
        }
    }

    /// <summary>Orders phases so each comes after the ones it depends on; ties by name, so the order is stable.</summary>
    public static List<string> TopologicalSort(IReadOnlyDictionary<string, Phase> phases)
    {
        var result = new List<string>();
        var state = new Dictionary<string, int>(); // 1 = visiting, 2 = done
        foreach (var name in phases.Keys.Order(StringComparer.Ordinal)) Visit(name, []);
        return result;

        void Visit(string name, List<string> chain)
        {
            if (state.GetValueOrDefault(name) == 2) return;
            if (state.GetValueOrDefault(name) == 1)
                throw new ArgumentException($"Coordinated-shutdown phases depend on each other in a cycle: {string.Join(" -> ", chain.Append(name))}.");
            if (!phases.TryGetValue(name, out var phase))
                throw new ArgumentException($"Coordinated-shutdown phase '{chain.LastOrDefault()}' depends on unknown phase '{name}'.");
            state[name] = 1;
            chain.Add(name);
            foreach (var dep in phase.DependsOn.Order(StringComparer.Ordinal)) Visit(dep, chain);
            chain.RemoveAt(chain.Count - 1);
            state[name] = 2;
            result.Add(name);
        }
    }
}
