using Akka.Configuration;
using Akka.TestKit;
using Xunit.Abstractions;

namespace KvActors.TestKit.MultiNode;

/// <summary>
/// Base of the in-process multi-node specs: an Akka.TestKit.Xunit2 TestKit (its own small local
/// system drives the test; use its AwaitAssert, AwaitCondition, Within) plus a
/// <see cref="ClusterHarness"/> whose nodes log into this test's output, prefixed with the node's
/// name. Probes that talk to cluster actors live on a node: <see cref="CreateTestProbe(ClusterNode, string)"/>.
/// Every node is terminated when the spec ends.
/// </summary>
public abstract class ClusterSpec : Akka.TestKit.Xunit2.TestKit
{
    protected ClusterSpec(ITestOutputHelper output, string extraNodeConfig = "")
        : base(ConfigurationFactory.ParseString($"akka.loglevel = WARNING\n{KvActors.TestKit.TestKitSettings.AkkaTestConfig}"), "driver", output)
    {
        Harness = new ClusterHarness(this, ConfigurationFactory.ParseString(extraNodeConfig), (system, name) => InitializeLogger(system, $"[{name}] "));
    }

    protected ClusterHarness Harness { get; }

    /// <summary>A probe on <paramref name="node"/>: its reference can be sent to other nodes.</summary>
    protected TestProbe CreateTestProbe(ClusterNode node, string? name = null) => CreateTestProbe(node.System, name);

    /// <summary>A line in the test's output (shown with `--logger "console;verbosity=detailed"` or when the test fails).</summary>
    protected void Note(string line) => Output?.WriteLine(line);

    protected override void AfterAll()
    {
        try { Harness.Dispose(); }
        finally { base.AfterAll(); }
    }
}
