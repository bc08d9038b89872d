using Akka.Actor;
using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Shards;

/// <summary>A node's name in the ring ("host:port") as an Akka address; anything else (bad input from the wire) is refused.</summary>
public sealed class NodeAddressTests
{
    private static readonly Address Self = new("akka.tcp", "kvactors", "127.0.0.1", 4053);

    [Fact]
    public void A_host_and_port_become_an_address_of_this_system()
    {
        NodeAddress.TryParse("10.0.0.7:4054", Self, out var address).Should().BeTrue();

        address.Should().Be(new Address("akka.tcp", "kvactors", "10.0.0.7", 4054));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-port")]
    [InlineData(":4053")]
    [InlineData("host:")]
    [InlineData("host:abc")]
    [InlineData("host:-1")]
    [InlineData("host:70000")]
    public void Anything_else_is_refused(string node) =>
        NodeAddress.TryParse(node, Self, out _).Should().BeFalse();
}
