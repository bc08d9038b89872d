using System.Diagnostics;
using System.Text.RegularExpressions;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// Real kvnode processes, real signals (SIGKILL, SIGSTOP/SIGCONT) and real TLS, observed only
/// through `kv cluster show --json`, as an operator would. Deadlines are generous for a loaded
/// 2-core machine (and stretch with KVACTORS_TEST_TIMEFACTOR); every wait is for a condition.
/// </summary>
public sealed class ProcessSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan FormationDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(60));

    /// <summary>
    /// From SIGKILL (or SIGSTOP) to gone from the survivors' views. reference.conf aims at ~5 s: the
    /// failure detector suspects after ~2.5 s (heartbeat 500 ms, pause 1.5 s, phi 10), the resolver
    /// decides after stable-after 2 s, the leader removes within a 250 ms tick. The bound leaves
    /// room for a starved machine and for polling through kv processes.
    /// </summary>
    private static readonly TimeSpan RemovalBound = TestKitSettings.Dilated(TimeSpan.FromSeconds(25));

    private readonly ProcessGroup _processes = new();
    private readonly List<string> _files = [];

    public void Dispose()
    {
        _processes.Dispose();
        foreach (var f in _files) File.Delete(f);
    }

    /// <summary>
    /// Fault: SIGKILL one of three nodes (a crash: no leave, no goodbye).
    /// Invariant: both survivors see it Removed (gone from their member lists) within
    /// <see cref="RemovalBound"/> of the kill, and stay Up and reachable themselves.
    /// </summary>
    [Fact]
    public async Task A_SIGKILLed_node_is_removed_by_the_others_within_the_bound()
    {
        var (seed, a, victim) = await StartThree();

        var sinceKill = Stopwatch.StartNew();
        victim.Kill();

        foreach (var survivor in new[] { seed, a })
            AwaitView(survivor, v => v.IsUpWith(seed.Address, a.Address), $"{victim} removed, the other two Up", RemovalBound - sinceKill.Elapsed);
        output.WriteLine($"SIGKILL -> removed in both survivors' views: {sinceKill.Elapsed.TotalSeconds:0.0} s (bound {RemovalBound.TotalSeconds:0} s).");
    }

    /// <summary>
    /// Fault: SIGSTOP one of three nodes (frozen, as by a stalled VM: it neither answers nor
    /// heartbeats) until the others have removed it, then SIGCONT.
    /// Invariant: the two others down and remove it within <see cref="RemovalBound"/> and stay Up;
    /// after SIGCONT the frozen node learns it was removed and its process exits by itself
    /// (run-coordinated-shutdown-when-down), without ever reappearing in the survivors' views.
    /// </summary>
    [Fact]
    public async Task A_SIGSTOPped_node_is_removed_and_after_SIGCONT_shuts_itself_down()
    {
        var (seed, a, frozen) = await StartThree();

        var sinceStop = Stopwatch.StartNew();
        frozen.Freeze();
        foreach (var survivor in new[] { seed, a })
            AwaitView(survivor, v => v.IsUpWith(seed.Address, a.Address), $"{frozen} removed while frozen", RemovalBound - sinceStop.Elapsed);
        output.WriteLine($"SIGSTOP -> removed in both survivors' views: {sinceStop.Elapsed.TotalSeconds:0.0} s.");

        var sinceCont = Stopwatch.StartNew();
        frozen.Thaw();

        if (!frozen.Process.Exits(TestKitSettings.Dilated(TimeSpan.FromSeconds(40))))
            throw frozen.Failure($"{frozen} kept running after SIGCONT although the cluster removed it.");
        output.WriteLine($"SIGCONT -> process exited by itself (code {frozen.Process.WaitForExit(TimeSpan.Zero)}) after {sinceCont.Elapsed.TotalSeconds:0.0} s.");
        foreach (var survivor in new[] { seed, a })
            Executables.ShowCluster(survivor.Address).IsUpWith(seed.Address, a.Address).Should().BeTrue("the removed node never comes back as the same member");
    }

    /// <summary>
    /// Fault: two nodes run mutual TLS with cluster certificate A; a node with another certificate
    /// (B) and a node with none try to join them through the same seed, and kv asks with B.
    /// Invariant: both are refused at the handshake (the pin or the TLS layer logs it) and never
    /// become members: the A-nodes' membership stays exactly the two A-nodes throughout; kv with
    /// B gets no answer (exit 2) while kv with A does.
    /// </summary>
    [Fact]
    public async Task Nodes_and_clients_without_the_cluster_certificate_are_refused()
    {
        var certificates = await Task.WhenAll(Task.Run(() => CreateCertificate("a")), Task.Run(() => CreateCertificate("b")));
        var (certA, thumbprintA) = certificates[0];
        var (certB, thumbprintB) = certificates[1];

        var a1 = _processes.StartNode(new NodeOptions { Name = "a1", Certificate = certA });
        var a2 = _processes.StartNode(new NodeOptions { Name = "a2", Certificate = certA, Seeds = [a1.Address] });
        AwaitView(a1, v => v.IsUpWith(a1.Address, a2.Address), "the two A-nodes Up", FormationDeadline, certA);

        var intruders = await Task.WhenAll(
            Task.Run(() => _processes.StartNode(new NodeOptions { Name = "b", Certificate = certB, Seeds = [a1.Address] })),
            Task.Run(() => _processes.StartNode(new NodeOptions { Name = "plain", Seeds = [a1.Address] })));
        var (b, plain) = (intruders[0], intruders[1]);

        // Evidence that both really tried: B's certificate was refused by the pin (on whichever side
        // validated first), and the plain node's unencrypted handshake reached a1's TLS layer.
        Awaiting.AwaitAssert(() =>
        {
            var pinRefused = a1.Process.HasLine(l => l.Contains("Refused TLS peer") && l.Contains(thumbprintB[..16]))
                || b.Process.HasLine(l => l.Contains("Refused TLS peer") && l.Contains(thumbprintA[..16]));
            if (!pinRefused) throw a1.Failure("Neither a1 nor b logged the refusal of the other's certificate yet.");
            // Plain Akka frames where a TLS record belongs: .NET's SslStream reports a corrupted frame.
            if (!a1.Process.HasLine(l => l.Contains("TLS handshake failed") && l.Contains("corrupted frame"))) throw a1.Failure("a1 has not seen the plain node's handshake yet.");
        }, FormationDeadline, TimeSpan.FromMilliseconds(200));

        // And they stay out: every look at the A-nodes' membership finds exactly the two of them.
        var checks = Holding.Throughout(TestKitSettings.Dilated(TimeSpan.FromSeconds(3)), () =>
        {
            foreach (var node in new[] { a1, a2 })
            {
                var view = Executables.ShowCluster(node.Address, certA);
                if (!view.IsUpWith(a1.Address, a2.Address)) throw new XunitException($"An intruder got in: {view}");
            }
        });
        output.WriteLine($"Membership stayed {{a1, a2}} over {checks} checks of both A-nodes.");

        var withB = Executables.Kv("cluster", "show", "--json", "--seeds", a1.Address, "--cert", certB, "--timeout", "2s");
        withB.ExitCode.Should().Be(2, withB.ToString());
        withB.OneSentenceError().Should().StartWith($"No node answered: {a1.Address} ");
        var withNone = Executables.Kv("cluster", "show", "--json", "--seeds", a1.Address, "--timeout", "2s");
        withNone.ExitCode.Should().Be(2, withNone.ToString());
        Executables.ShowCluster(a1.Address, certA).IsUpWith(a1.Address, a2.Address).Should().BeTrue();
        output.WriteLine($"b {(b.HasExited ? "exited by itself" : "is still trying")}; plain {(plain.HasExited ? "exited" : "is still trying")}.");
    }

    /// <summary>A seed and two members joining through it (started together), all three Up in the seed's view.</summary>
    private async Task<(NodeProcess Seed, NodeProcess A, NodeProcess B)> StartThree()
    {
        var seed = _processes.StartNode(new NodeOptions { Name = "seed" });
        var members = await Task.WhenAll(
            Task.Run(() => _processes.StartNode(new NodeOptions { Name = "m1", Seeds = [seed.Address] })),
            Task.Run(() => _processes.StartNode(new NodeOptions { Name = "m2", Seeds = [seed.Address] })));
        var (a, b) = (members[0], members[1]);
        AwaitView(seed, v => v.IsUpWith(seed.Address, a.Address, b.Address), "three members Up", FormationDeadline);
        return (seed, a, b);
    }

    /// <summary>Polls <paramref name="observer"/>'s view through kv until <paramref name="condition"/> holds; fails with the last view and the observer's log.</summary>
    private static ClusterView AwaitView(NodeProcess observer, Func<ClusterView, bool> condition, string what, TimeSpan deadline, string? certificate = null)
    {
        ClusterView? last = null;
        Awaiting.AwaitAssert(() =>
        {
            last = Executables.TryShowCluster(observer.Address, certificate, "3s") ?? last;
            if (last is null || !condition(last))
                throw observer.Failure($"Expected {what} within {deadline.TotalSeconds:0.#} s; {observer.Name}'s last view: {last?.ToString() ?? "none (kv got no answer)"}.");
        }, deadline, TimeSpan.FromMilliseconds(200));
        return last!;
    }

    private static readonly Regex Thumbprint = new(@"SHA-256 (?<thumbprint>[0-9A-F]{64})", RegexOptions.CultureInvariant);

    /// <summary>`kv cert create` into a temporary file; the path and the certificate's thumbprint.</summary>
    private (string Path, string Thumbprint) CreateCertificate(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kvactors-spec-{name}-{Guid.NewGuid():N}.pfx");
        lock (_files) _files.Add(path);
        var run = Executables.Kv("cert", "create", "--out", path, "--subject", "kvactors-cluster");
        run.ExitCode.Should().Be(0, run.ToString());
        return (path, Thumbprint.Match(run.Stdout).Groups["thumbprint"].Value);
    }
}
