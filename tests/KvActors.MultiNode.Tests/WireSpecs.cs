using Akka.Cluster.Tools.PublishSubscribe;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>A message type of a spec that nobody bound to a serializer.</summary>
internal sealed record Unbound(string Text);

public sealed class WireSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    /// <summary>
    /// Fault: a spec sends a message type with no serializer binding to another node. Invariant:
    /// it does not cross the wire as Newtonsoft JSON (Akka's silent fallback): test nodes refuse
    /// it, so such a spec fails; bound messages (strings, Akka's own) are unaffected and the link
    /// stays up.
    /// </summary>
    [Fact]
    public void A_message_without_a_serializer_binding_does_not_cross_the_wire()
    {
        var nodes = Harness.StartCluster(2);
        var serialization = nodes[0].System.Serialization;
        serialization.FindSerializerFor(new Unbound("x")).Should().BeOfType<NoJsonFallbackSerializer>();
        serialization.FindSerializerFor("x").Should().NotBeOfType<NoJsonFallbackSerializer>();
        serialization.FindSerializerFor(new Publish("topic", "x")).Should().NotBeOfType<NoJsonFallbackSerializer>();

        var remote = CreateTestProbe(nodes[1]);
        var sender = CreateTestProbe(nodes[0]);
        var remoteRef = nodes[0].RefTo(remote.Ref, nodes[1]);
        remoteRef.Tell(new Unbound("dropped"), sender.Ref);
        remoteRef.Tell("after", sender.Ref);
        remote.ExpectMsg("after");
        remote.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
