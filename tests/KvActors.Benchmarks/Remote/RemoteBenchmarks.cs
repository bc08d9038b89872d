using System.Diagnostics;
using System.Reflection;
using Akka.Actor;
using Google.Protobuf;
using KvActors.Benchmarks.Remote.Wire;
using KvActors.Store.Wire;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// `./build.sh bench remote`: Akka.Remote between this process and a peer process (this same
/// executable started with <see cref="PeerCommand"/>), both configured from reference.conf with
/// provider = remote and port 0. Messages are <see cref="BenchMessage"/> (100-byte payload)
/// serialized by <see cref="KvWireSerializer"/>.
/// <list type="bullet">
/// <item>remote.tell.aggregate_msgs_per_s: --pairs sender actors here (default 4), each with its
/// own receiver in the peer; a sender keeps at most --window messages unacknowledged (default
/// 2,000), the receiver acknowledges every 100. Acknowledged messages per second over --seconds
/// (default 10) after 3 s of warm-up.</item>
/// <item>remote.rtt_p50_us / remote.rtt_p99_us: one actor here sends a message to an echo actor in
/// the peer and sends the next only when the echo is back; --samples round trips (default
/// 20,000, at most 15 s) after 2,000 of warm-up.</item>
/// </list>
/// </summary>
public static class RemoteBenchmarks
{
    /// <summary>Hidden first argument: run as the peer process.</summary>
    public const string PeerCommand = "__remote-peer";

    private const string SystemName = "kvbench";
    private const int PayloadSize = 100;
    private const int AckEvery = 100;
    private const int MaxPairs = 64;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);

    private static Akka.Configuration.Config RemoteConfig => BenchAkka.Config("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.port = 0
        akka.log-dead-letters = off
        """);

    private static ByteString Payload()
    {
        var bytes = new byte[PayloadSize];
        new Random(42).NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var pairs = Math.Min(Stats.IntOption(args, "--pairs", 4), MaxPairs);
        var window = Math.Max(Stats.IntOption(args, "--window", 2_000) / AckEvery * AckEvery, AckEvery);
        var seconds = Stats.IntOption(args, "--seconds", 10);
        var samples = Stats.IntOption(args, "--samples", 20_000);

        using var peer = PeerProcess.Start(pairs);
        var system = ActorSystem.Create(SystemName, RemoteConfig);
        try
        {
            var probe = new BenchMessage { Seq = 1, Payload = Payload() };
            var serializer = system.Serialization.FindSerializerFor(probe);
            if (serializer is not KvWireSerializer)
            {
                Console.Error.WriteLine($"remote: BenchMessage would be serialized by {serializer.GetType().FullName}, not {nameof(KvWireSerializer)}: check the serialization-bindings in hocon/reference.conf.");
                return 1;
            }
            if (peer.Serializer != typeof(KvWireSerializer).FullName)
            {
                Console.Error.WriteLine($"remote: the peer would serialize BenchMessage with {peer.Serializer}, not {nameof(KvWireSerializer)}.");
                return 1;
            }
            var bytes = serializer.ToBinary(probe).Length;
            Report.Note($"serializer: {serializer.GetType().FullName} (id {serializer.Identifier}) here and in the peer; BenchMessage = {bytes} bytes on the wire (payload {PayloadSize})");
            Report.Note($"this process {BenchAkka.SelfAddress(system)}, peer {peer.Address} (pid {peer.Pid})");

            var receivers = new List<IActorRef>();
            for (var i = 0; i < pairs; i++)
                receivers.Add(await system.ActorSelection($"{peer.Address}/user/receiver-{i}").ResolveOne(TimeSpan.FromSeconds(10)));
            var echo = await system.ActorSelection($"{peer.Address}/user/echo").ResolveOne(TimeSpan.FromSeconds(10));

            await ThroughputAsync(system, receivers, window, TimeSpan.FromSeconds(seconds));
            await RoundTripAsync(system, echo, samples);
            return 0;
        }
        finally
        {
            await Task.WhenAny(system.Terminate(), Task.Delay(TimeSpan.FromSeconds(15)));
            peer.Stop();
        }
    }

    private static async Task ThroughputAsync(ActorSystem system, IReadOnlyList<IActorRef> receivers, int window, TimeSpan measure)
    {
        var acked = new Counter();
        var payload = Payload();
        var senders = receivers.Select((r, i) => system.ActorOf(Props.Create(() => new WindowedSender(r, window, payload, acked)), $"sender-{i}")).ToList();
        foreach (var s in senders) s.Tell(WindowedSender.Start.Instance);
        await Task.Delay(Warmup);
        var (n0, t0) = (acked.Value, Stopwatch.GetTimestamp());
        await Task.Delay(measure);
        var (n1, t1) = (acked.Value, Stopwatch.GetTimestamp());
        foreach (var s in senders) s.Tell(WindowedSender.Stop.Instance);
        var rate = (n1 - n0) / (Stats.Ms(t0, t1) / 1000);
        Report.Note($"tell: {receivers.Count} sender/receiver pairs, window {window} messages each (ack every {AckEvery}), {n1 - n0:N0} messages acknowledged in {Stats.Ms(t0, t1) / 1000:0.0} s after {Warmup.TotalSeconds:0} s warm-up");
        Report.Figure("remote.tell.aggregate_msgs_per_s", rate, "msgs/s");
        // Let the windows drain so the round-trip test starts on quiet connections.
        await Task.Delay(500);
        foreach (var s in senders) system.Stop(s);
    }

    private static async Task RoundTripAsync(ActorSystem system, IActorRef echo, int samples)
    {
        const int warmupTrips = 2_000;
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var payload = Payload();
        system.ActorOf(Props.Create(() => new Pinger(echo, payload, warmupTrips, samples, TimeSpan.FromSeconds(15), done)), "pinger");
        var rtts = (await done.Task.WaitAsync(TimeSpan.FromSeconds(60))).Select(Stats.Us).ToArray();
        Report.Note($"rtt: {rtts.Length:N0} round trips one at a time after {warmupTrips:N0} of warm-up; mean {rtts.Average():0} us, p90 {Stats.Percentile(rtts, 90):0} us, p99.9 {Stats.Percentile(rtts, 99.9):0} us, max {rtts.Max():0} us");
        Report.Figure("remote.rtt_p50_us", Stats.Percentile(rtts, 50), "us");
        Report.Figure("remote.rtt_p99_us", Stats.Percentile(rtts, 99), "us");
    }

    // ---- the peer process ----

    /// <summary>Runs in the peer: receivers and an echo actor; prints its address; exits when stdin closes.</summary>
    public static async Task<int> PeerAsync(string[] args)
    {
        var pairs = Math.Min(Stats.IntOption(args, "--pairs", 4), MaxPairs);
        var system = ActorSystem.Create(SystemName, RemoteConfig);
        for (var i = 0; i < pairs; i++) system.ActorOf(Props.Create(() => new Receiver()), $"receiver-{i}");
        system.ActorOf(Props.Create(() => new Echo()), "echo");
        var serializer = system.Serialization.FindSerializerFor(new BenchMessage());
        Console.WriteLine($"peer-serializer: {serializer.GetType().FullName}");
        Console.WriteLine($"peer-address: {BenchAkka.SelfAddress(system)}");
        Console.Out.Flush();
        await Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
        await Task.WhenAny(system.Terminate(), Task.Delay(TimeSpan.FromSeconds(10)));
        return 0;
    }

    private sealed class Counter
    {
        private long _value;
        public long Value => Interlocked.Read(ref _value);
        public void Add(long n) => Interlocked.Add(ref _value, n);
    }

    /// <summary>Keeps up to <c>window</c> messages unacknowledged in flight to its receiver.</summary>
    private sealed class WindowedSender(IActorRef target, int window, ByteString payload, Counter acked) : UntypedActor
    {
        public sealed class Start { public static readonly Start Instance = new(); }
        public sealed class Stop { public static readonly Stop Instance = new(); }

        private long _seq;
        private long _inFlight;
        private bool _running;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case BenchAck ack:
                    _inFlight -= ack.Count;
                    acked.Add(ack.Count);
                    if (_running) Fill();
                    break;
                case Start:
                    _running = true;
                    Fill();
                    break;
                case Stop:
                    _running = false;
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }

        private void Fill()
        {
            while (_inFlight < window)
            {
                target.Tell(new BenchMessage { Seq = ++_seq, Payload = payload }, Self);
                _inFlight++;
            }
        }
    }

    /// <summary>Acknowledges every <see cref="AckEvery"/> messages to their sender.</summary>
    private sealed class Receiver : UntypedActor
    {
        private long _pending;

        protected override void OnReceive(object message)
        {
            if (message is not BenchMessage) { Unhandled(message); return; }
            if (++_pending < AckEvery) return;
            Sender.Tell(new BenchAck { Count = _pending });
            _pending = 0;
        }
    }

    private sealed class Echo : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message);
    }

    /// <summary>One message in flight at a time; records each round trip in Stopwatch ticks.</summary>
    private sealed class Pinger(IActorRef echo, ByteString payload, int warmup, int samples, TimeSpan limit, TaskCompletionSource<long[]> done) : UntypedActor
    {
        private readonly List<long> _rtts = new(samples);
        private long _sentAt;
        private long _measureStart;
        private int _trips;

        protected override void PreStart() => Send();

        protected override void OnReceive(object message)
        {
            if (message is not BenchMessage) { Unhandled(message); return; }
            var now = Stopwatch.GetTimestamp();
            _trips++;
            if (_trips == warmup) _measureStart = now;
            if (_trips > warmup) _rtts.Add(now - _sentAt);
            if (_rtts.Count >= samples || (_trips > warmup && Stopwatch.GetElapsedTime(_measureStart, now) > limit))
            {
                done.TrySetResult([.. _rtts]);
                Context.Stop(Self);
                return;
            }
            Send();
        }

        private void Send()
        {
            _sentAt = Stopwatch.GetTimestamp();
            echo.Tell(new BenchMessage { Seq = _trips, Payload = payload }, Self);
        }
    }

    /// <summary>The peer: this executable again, with <see cref="PeerCommand"/>.</summary>
    private sealed class PeerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private PeerProcess(int pairs)
        {
            var start = SelfCommand.StartInfo(PeerCommand, "--pairs", pairs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.RedirectStandardInput = true;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Address { get; private set; } = "";
        public string Serializer { get; private set; } = "";
        public int Pid => _process.Id;

        public static PeerProcess Start(int pairs)
        {
            var peer = new PeerProcess(pairs);
            if (!peer._ready.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                peer.Dispose();
                throw new TimeoutException($"the peer process did not report its address within 60 s; its output: {string.Join(" | ", peer.Output())}");
            }
            return peer;
        }

        private string[] Output() { lock (_output) return [.. _output]; }

        private void OnLine(string? line)
        {
            if (line is null) { _ready.TrySetException(new InvalidOperationException("the peer process exited")); return; }
            lock (_output) _output.Add(line);
            if (line.StartsWith("peer-serializer: ", StringComparison.Ordinal)) Serializer = line["peer-serializer: ".Length..];
            else if (line.StartsWith("peer-address: ", StringComparison.Ordinal)) { Address = line["peer-address: ".Length..]; _ready.TrySetResult(); }
            // Akka's own stdout lines after its loggers stop (e.g. "Remoting shut down") are INFO: not worth showing.
            else if (!line.StartsWith("[INFO]", StringComparison.Ordinal) && !line.StartsWith("[DEBUG]", StringComparison.Ordinal)) Console.Error.WriteLine($"# peer: {line}");
        }

        /// <summary>Closes its stdin (it then terminates its actor system and exits); kills it if it lingers.</summary>
        public void Stop()
        {
            try { _process.StandardInput.Close(); } catch (IOException) { } catch (InvalidOperationException) { }
            if (!_process.WaitForExit(15_000)) Dispose();
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}

/// <summary>How to start this benchmark executable again (as `dotnet X.dll` or as its apphost).</summary>
public static class SelfCommand
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }
}
