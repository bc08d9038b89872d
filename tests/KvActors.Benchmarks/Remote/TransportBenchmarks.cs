using System.Diagnostics;
using KvActors.Actor;
using KvActors.Remote;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// `./build.sh bench remote-transport`: the TCP transport between two OS processes on loopback
/// (this process drives, a re-launched copy of itself is the peer). (a) one-way throughput of
/// 100-byte payloads from 4 senders under flow control, (b) round-trip latency with one request
/// outstanding. No actors: this is the floor the actor layer builds on.
/// </summary>
public static class TransportBenchmarks
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == "--peer" && int.TryParse(args[1], out var port))
            return await BenchPeer.RunAsync(port);

        var driver = new BenchDriver();
        await using var transport = new TcpTransport(BenchProtocol.DriverSystem, new RemoteSettings(), SerializerRegistry.CreateDefault(), driver);
        transport.Start();
        using var peerProcess = PeerProcess.Start(transport.LocalAddress.Address.Port!.Value);
        var peer = await driver.WaitForPeer(peerProcess, TimeSpan.FromSeconds(30));
        driver.Attach(transport, peer);

        var (perSecond, senderAlloc, receiverAlloc) = await Throughput(driver);
        Report.Figure("remote.transport.aggregate_msgs_per_s", perSecond, "msgs/s");
        Report.Figure("remote.transport.sender_alloc_bytes_per_msg", senderAlloc, "bytes");
        Report.Figure("remote.transport.receiver_alloc_bytes_per_msg", receiverAlloc, "bytes");

        var rtt = await driver.Pinger.Run(Warmup, Measure);
        Report.Figure("remote.transport.rtt_p50_us", Percentile(rtt, 0.50), "us");
        Report.Figure("remote.transport.rtt_p99_us", Percentile(rtt, 0.99), "us");
        Report.Figure("remote.transport.rtt_p999_us", Percentile(rtt, 0.999), "us");
        Report.Figure("remote.transport.rtt_samples", rtt.Length, "round-trips");
        if (transport.DroppedOutboundCount > 0) Console.Error.WriteLine($"driver dropped {transport.DroppedOutboundCount} messages");
        return 0;
    }

    private static async Task<(double PerSecond, double SenderAlloc, double ReceiverAlloc)> Throughput(BenchDriver driver)
    {
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, BenchProtocol.Senders).Select(i => Task.Run(() => driver.SendLoop(i, stop.Token))).ToArray();
        await Task.Delay(Warmup);
        var (acked0, peer0) = (driver.TotalAcked, driver.PeerTotals);
        var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await Task.Delay(Measure);
        var (acked1, peer1) = (driver.TotalAcked, driver.PeerTotals);
        var alloc1 = GC.GetTotalAllocatedBytes(precise: false);
        var seconds = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        await Task.WhenAll(senders);
        // Let the last window drain so the latency run starts on an idle link.
        await driver.WaitForDrain(TimeSpan.FromSeconds(10));
        var n = Math.Max(1, acked1 - acked0);
        // Cross-check from the other side: what the peer counted as received in the same window.
        Console.Error.WriteLine($"peer counted {(peer1.Received - peer0.Received) / seconds:N0} msgs/s received");
        return (n / seconds, (double)(alloc1 - alloc0) / n,
            (double)(peer1.Allocated - peer0.Allocated) / Math.Max(1, peer1.Received - peer0.Received));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
