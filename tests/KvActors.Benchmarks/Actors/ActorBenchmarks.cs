using System.Diagnostics;
using KvActors.Actor;
using KvActors.Hocon;

namespace KvActors.Benchmarks.Actors;

/// <summary>
/// `./build.sh bench actors`: whole-system figures of the actor runtime, measured with plain
/// timed loops (each after a warm-up) because they are about many threads and actors at once.
/// </summary>
public static class ActorBenchmarks
{
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var config = Config.Parse("kvactors.log-dead-letters = off");
        using var system = ActorSystem.Create("bench", config);

        PingPong(system, pairs: 1, inFlight: 1, Measure / 3); // warm-up
        Report.Figure("actors.tell.pingpong_msgs_per_s", PingPong(system, pairs: 1, inFlight: 1, Measure), "msgs/s");
        var pairs = 2 * Environment.ProcessorCount;
        PingPong(system, pairs, inFlight: 500, Measure / 3);
        Report.Figure("actors.tell.aggregate_msgs_per_s", PingPong(system, pairs, inFlight: 500, Measure), "msgs/s");

        await AskRoundTrips(system, Measure / 3);
        Report.Figure("actors.ask.roundtrips_per_s", await AskRoundTrips(system, Measure), "round-trips/s");

        await system.Terminate();

        // Spawn and footprint each in a fresh system, so nothing else lives on the heap.
        await Spawn(config, 10_000); // warm-up
        var (bytes, perSecond) = await Spawn(config, 100_000);
        Report.Figure("actors.idle_actor_bytes", bytes, "bytes");
        Report.Figure("actors.spawn_per_s", perSecond, "actors/s");
        return 0;
    }

    // ---- tell ----

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class Stop;

    /// <summary>Bounces every ball back to its sender until told to stop; counts what it received.</summary>
    private sealed class Player : ReceiveActor
    {
        private bool _stopped;

        public Player(long[] counters, int index)
        {
            Receive<Ball>(b =>
            {
                counters[index]++;
                if (!_stopped) Sender!.Tell(b, Self);
            });
            Receive<Stop>(_ => _stopped = true);
            Receive<(IActorRef Partner, int InFlight)>(start =>
            {
                for (var i = 0; i < start.InFlight; i++) start.Partner.Tell(Ball.Instance, Self);
            });
        }
    }

    private static double PingPong(ActorSystem system, int pairs, int inFlight, TimeSpan duration)
    {
        // One counter per actor, written only by that actor: no shared cache line contention worth measuring.
        var counters = new long[pairs * 2 * 16];
        var players = new List<IActorRef>();
        for (var p = 0; p < pairs; p++)
        {
            int ia = 2 * p * 16, ib = (2 * p + 1) * 16; // the factories run later: copy the loop variable
            var a = system.ActorOf(Props.Create(() => new Player(counters, ia)));
            var b = system.ActorOf(Props.Create(() => new Player(counters, ib)));
            players.Add(a);
            players.Add(b);
        }
        var clock = Stopwatch.StartNew();
        for (var p = 0; p < pairs; p++) players[2 * p].Tell((players[2 * p + 1], inFlight), null);
        Thread.Sleep(duration);
        var total = Sum(counters);
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var player in players)
        {
            player.Tell(new Stop(), null);
            system.Stop(player);
        }
        return total / seconds;
    }

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (var i = 0; i < counters.Length; i += 16) total += Volatile.Read(ref counters[i]);
        return total;
    }

    // ---- ask ----

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender!.Tell(m, Self));
    }

    private static async Task<double> AskRoundTrips(ActorSystem system, TimeSpan duration)
    {
        var echoes = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => system.ActorOf(Props.Create<Echo>())).ToArray();
        var askers = Environment.ProcessorCount * 32;
        long completed = 0;
        var stopAt = Stopwatch.StartNew();
        var message = (object)"ping";
        var loops = Enumerable.Range(0, askers).Select(i => Task.Run(async () =>
        {
            var target = echoes[i % echoes.Length];
            long n = 0;
            while (stopAt.Elapsed < duration)
            {
                await target.Ask<string>(message, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                n++;
            }
            Interlocked.Add(ref completed, n);
        })).ToArray();
        await Task.WhenAll(loops);
        var seconds = stopAt.Elapsed.TotalSeconds;
        foreach (var e in echoes) system.Stop(e);
        return completed / seconds;
    }

    // ---- spawn and footprint ----

    private sealed class Idle : ReceiveActor
    {
        public Idle(CountdownEvent started)
        {
            Receive<string>(_ => { });
            started.Signal();
        }
    }

    private static async Task<(double BytesPerActor, double SpawnPerSecond)> Spawn(Config config, int count)
    {
        using var system = ActorSystem.Create("spawn", config);
        using var started = new CountdownEvent(count);
        var props = Props.Create(() => new Idle(started));
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) system.ActorOf(props);
        if (!started.Wait(TimeSpan.FromMinutes(1))) throw new TimeoutException("actors did not start within a minute");
        var seconds = clock.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        await system.Terminate();
        return ((after - before) / (double)count, count / seconds);
    }
}
