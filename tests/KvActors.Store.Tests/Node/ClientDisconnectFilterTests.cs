using Akka.Event;
using KvActors.Node.Hosting;

namespace KvActors.Store.Tests.Node;

/// <summary>kvnode's filter for the benign log events of a kv client's exit: only those, and only for client associations.</summary>
public sealed class ClientDisconnectFilterTests
{
    private const string Client = "akka.tcp://kvactors@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fkv-client%40127.0.0.1%3A46431-8";
    private const string Peer = "akka.tcp://kvactors@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fkvactors%40127.0.0.1%3A4054-2";

    private static LogFilterDecision Decide(LogEvent e) => new ClientDisconnectFilter().ShouldKeepMessage(e, e.ToString());

    [Theory]
    [InlineData(Client, "Association with remote system akka.tcp://kv-client@127.0.0.1:46431 has failed; address is now gated for 1000 ms. Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated")]
    [InlineData(Client + "/endpointWriter", "Disassociated")]
    [InlineData(Client + "/endpointWriter", "Message [AckIdleCheckTimer] wrapped in [$ScheduledTellMsg] was not delivered. [1] dead letters encountered.")]
    [InlineData(Client, "Removing receive buffers for [akka.tcp://kvactors@127.0.0.1:4053]->[akka.tcp://kv-client@127.0.0.1:46431]")]
    [InlineData("akka.tcp://kvactors@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-akka.ssl.tcp://kv-client@127.0.0.1:1-1", "Disassociated")]
    public void The_end_of_a_clients_association_is_dropped(string source, string message) =>
        Decide(new Warning(source, typeof(ClientDisconnectFilterTests), message)).Should().Be(LogFilterDecision.Drop);

    [Theory]
    [InlineData(Peer, "Association with remote system akka.tcp://kvactors@127.0.0.1:4054 has failed; address is now gated for 1000 ms. Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated")]
    [InlineData(Peer + "/endpointWriter", "Disassociated")]
    [InlineData(Client + "/endpointWriter", "Failed to write message [big] to the transport")]
    [InlineData("akka.tcp://kvactors@127.0.0.1:4053/user/shards", "Disassociated")]
    public void Peers_and_other_client_errors_are_kept(string source, string message) =>
        Decide(new Error(null, source, typeof(ClientDisconnectFilterTests), message)).Should().Be(LogFilterDecision.Keep);
}
