using Akka.Event;
using KvActors.Node.Hosting;

namespace KvActors.Store.Tests.Node;

/// <summary>kvnode's handling of a peer's lost association: one WARN line without a trace, nothing else touched.</summary>
public sealed class PeerDisconnectFilterTests
{
    private const string Endpoint = "akka.tcp://kvactors@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fkvactors%40127.0.0.1%3A4055-2";

    /// <summary>Akka.Remote's exception is internal: one of that type, as it would be thrown.</summary>
    private static Exception Disassociated()
    {
        var type = typeof(Akka.Remote.RemoteSettings).Assembly.GetType("Akka.Remote.EndpointDisassociatedException", throwOnError: true)!;
        var e = (Exception)Activator.CreateInstance(type, new object[] { "Disassociated" })!;
        try { throw e; } catch (Exception thrown) { return thrown; } // give it a stack trace, as Akka's has
    }

    private static LogFilterDecision Decide(LogEvent e) => new PeerDisconnectFilter().ShouldKeepMessage(e, e.ToString());

    [Fact]
    public void The_failed_association_warning_keeps_its_first_line()
    {
        var reason = Disassociated();
        reason.ToString().Should().Contain("\n", "the test needs an exception with a trace");
        // As Akka.Remote's reliable-delivery supervisor logs it (the formatted text: the exception with its trace).
        var warning = new Warning(Endpoint, typeof(PeerDisconnectFilterTests),
            $"Association with remote system akka.tcp://kvactors@127.0.0.1:4055 has failed; address is now gated for 1000 ms. Reason is: [{reason}]");

        var shortened = PeerDisconnectFilter.Shorten(warning);

        shortened.Should().BeOfType<Warning>();
        shortened.LogSource.Should().Be(Endpoint);
        shortened.Message.ToString().Should().Be(
            "Association with remote system akka.tcp://kvactors@127.0.0.1:4055 has failed; address is now gated for 1000 ms. " +
            "Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated]");
        Decide(shortened).Should().Be(LogFilterDecision.Keep);
    }

    [Fact]
    public void The_duplicate_error_of_the_stopped_writer_is_dropped()
    {
        Decide(new Error(Disassociated(), Endpoint + "/endpointWriter", typeof(PeerDisconnectFilterTests), "Disassociated"))
            .Should().Be(LogFilterDecision.Drop);
    }

    [Fact]
    public void Other_remoting_failures_and_other_sources_keep_their_traces()
    {
        var other = new InvalidOperationException("Failed to write message [big] to the transport");
        Decide(new Error(other, Endpoint + "/endpointWriter", typeof(PeerDisconnectFilterTests), other.Message)).Should().Be(LogFilterDecision.Keep);
        Decide(new Error(Disassociated(), "akka.tcp://kvactors@127.0.0.1:4053/user/shards", typeof(PeerDisconnectFilterTests), "Disassociated"))
            .Should().Be(LogFilterDecision.Keep);
        var multiLine = new Warning(Endpoint, typeof(PeerDisconnectFilterTests), "Association with remote system X has failed. Reason is: [System.IO.IOException: broken\n   at Somewhere()]");
        PeerDisconnectFilter.Shorten(multiLine).Should().BeSameAs(multiLine);
    }
}
