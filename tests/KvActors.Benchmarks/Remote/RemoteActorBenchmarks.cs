using System.Diagnostics;
using KvActors.Actor;
using KvActors.Hocon;
using KvActors.Remote;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// `./build.sh bench remote`: actors in two OS processes on loopback. This process measures;
/// it starts a copy of itself (`remote --peer`) that hosts the echo and sink actors.
/// Payloads are 100-byte arrays.
/// </summary>
public static class RemoteActorBenchmarks
{
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(3);
    private const int Pairs = 4;
    private const int AckEvery = 1_000;
    private const int Window = 20_000;

    private static Config BenchConfig => Config.Parse("""
        kvactors.actor.provider = remote
        kvactors.remote.port = 0
        kvactors.log-dead-letters = off
        """);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--peer")) return await RunPeerAsync();

        using var peer = StartPeer(out var peerAddress);
        using var system = ActorSystem.Create("bench", BenchConfig);
        var provider = (RemoteActorRefProvider)system.Provider;
        var echo = provider.ResolveActorRef($"{peerAddress}/user/echo");
        var sinks = Enumerable.Range(0, Pairs).Select(i => provider.ResolveActorRef($"{peerAddress}/user/sink-{i}")).ToArray();
        await echo.Ask<byte[]>(new byte[100], TimeSpan.FromSeconds(10)); // connected both ways

        PingPong(system, echo, Measure / 3);
        Report.Figure("remote.tell.pingpong_msgs_per_s", PingPong(system, echo, Measure), "msgs/s");

        Aggregate(system, sinks, Measure / 3);
        Report.Figure("remote.tell.aggregate_msgs_per_s", Aggregate(system, sinks, Measure), "msgs/s");

        Latencies(system, echo, Measure / 3);
        var rtts = Latencies(system, echo, Measure);
        Report.Figure("remote.rtt_p50_us", Percentile(rtts, 0.50), "us");
        Report.Figure("remote.rtt_p99_us", Percentile(rtts, 0.99), "us");
        Report.Figure("remote.rtt_p999_us", Percentile(rtts, 0.999), "us");

        await system.Terminate();
        return 0;
    }

    // ---- peer process ----

    private static async Task<int> RunPeerAsync()
    {
        using var system = ActorSystem.Create("peer", BenchConfig);
        system.ActorOf(Props.Create<Echo>(), "echo");
        for (var i = 0; i < Pairs; i++) system.ActorOf(Props.Create<Sink>(), $"sink-{i}");
        Console.WriteLine($"READY {((RemoteActorRefProvider)system.Provider).DefaultAddress}");
        Console.Out.Flush();
        await Console.In.ReadToEndAsync(); // the parent closes stdin (or dies) when done
        await system.Terminate();
        return 0;
    }

    private static Process StartPeer(out string address)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(RemoteActorBenchmarks).Assembly.Location);
        start.ArgumentList.Add("remote");
        start.ArgumentList.Add("--peer");
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the peer process");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { process.Kill(); } catch (InvalidOperationException) { } };
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (!line.StartsWith("READY ", StringComparison.Ordinal)) continue;
            address = line["READY ".Length..];
            return process;
        }
        process.Kill();
        throw new InvalidOperationException("the peer process exited before it was ready");
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender!.Tell(m, Self));
    }

    /// <summary>Counts what it receives and acknowledges every AckEvery messages (flow control).</summary>
    private sealed class Sink : ReceiveActor
    {
        private long _received;

        public Sink() => Receive<byte[]>(_ =>
        {
            if (++_received % AckEvery == 0) Sender!.Tell(_received, Self);
        });
    }

    // ---- request-reply, one message in flight ----

    private sealed class Pinger : ReceiveActor
    {
        private readonly IActorRef _target;

        public Pinger(IActorRef target, long[] count)
        {
            _target = target;
            Receive<byte[]>(b =>
            {
                count[0] += 2; // one request and one reply
                target.Tell(b, Self);
            });
        }

        protected override void PreStart() => _target.Tell(new byte[100], Self);
    }

    private static double PingPong(ActorSystem system, IActorRef echo, TimeSpan duration)
    {
        var count = new long[1];
        var pinger = system.ActorOf(Props.Create(() => new Pinger(echo, count)));
        var clock = Stopwatch.StartNew();
        Thread.Sleep(duration);
        var total = Volatile.Read(ref count[0]);
        var rate = total / clock.Elapsed.TotalSeconds;
        system.Stop(pinger);
        return rate;
    }

    // ---- one-way, flow controlled ----

    /// <summary>Keeps at most Window messages unacknowledged by its sink, topping up on every ack.</summary>
    private sealed class Sender : ReceiveActor
    {
        private readonly byte[] _payload = new byte[100];
        private long _sent, _acked;

        public Sender(IActorRef sink, long[] acked, int index)
        {
            Receive<string>(_ => TopUp(sink));
            Receive<long>(n =>
            {
                _acked = n;
                acked[index] = n;
                TopUp(sink);
            });
        }

        private void TopUp(IActorRef sink)
        {
            while (_sent - _acked < Window)
            {
                sink.Tell(_payload, Self);
                _sent++;
            }
        }
    }

    private static double Aggregate(ActorSystem system, IActorRef[] sinks, TimeSpan duration)
    {
        var acked = new long[Pairs * 16];
        var senders = sinks.Select((sink, i) => system.ActorOf(Props.Create(() => new Sender(sink, acked, i * 16)))).ToArray();
        var before = Sum(acked);
        var clock = Stopwatch.StartNew();
        foreach (var s in senders) s.Tell("go", null);
        Thread.Sleep(duration);
        var total = Sum(acked) - before;
        var rate = total / clock.Elapsed.TotalSeconds;
        foreach (var s in senders) system.Stop(s);
        return rate;
    }

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (var i = 0; i < counters.Length; i += 16) total += Volatile.Read(ref counters[i]);
        return total;
    }

    // ---- latency, one outstanding request ----

    private sealed class Timer : ReceiveActor
    {
        private readonly byte[] _payload = new byte[100];
        private long _sentAt;

        public Timer(IActorRef target, List<double> rtts, Stopwatch until, TimeSpan duration, TaskCompletionSource done)
        {
            Receive<string>(_ => Send(target));
            Receive<byte[]>(_ =>
            {
                rtts.Add((Stopwatch.GetTimestamp() - _sentAt) * 1_000_000.0 / Stopwatch.Frequency);
                if (until.Elapsed < duration) Send(target);
                else done.TrySetResult();
            });
        }

        private void Send(IActorRef target)
        {
            _sentAt = Stopwatch.GetTimestamp();
            target.Tell(_payload, Self);
        }
    }

    private static List<double> Latencies(ActorSystem system, IActorRef echo, TimeSpan duration)
    {
        var rtts = new List<double>(1 << 20);
        var done = new TaskCompletionSource();
        var timer = system.ActorOf(Props.Create(() => new Timer(echo, rtts, Stopwatch.StartNew(), duration, done)));
        timer.Tell("go", null);
        done.Task.Wait(duration + TimeSpan.FromSeconds(30));
        system.Stop(timer);
        return rtts;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
