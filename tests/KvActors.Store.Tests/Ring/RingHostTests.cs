using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using KvActors.Store.Configuration;
using KvActors.Store.Ring;

namespace KvActors.Store.Tests.Ring;

public sealed class RingHostTests
{
    [Fact]
    public async Task The_singletons_removal_margin_is_the_configured_one_not_the_split_brain_resolvers_stable_after()
    {
        var config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0").WithFallback(KvConfig.Reference);
        var system = ActorSystem.Create("ringhost", config);
        try
        {
            var configured = config.GetTimeSpan("akka.cluster.singleton.removal-margin");
            var stableAfter = config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after");
            configured.Should().NotBe(stableAfter, "otherwise this test could not tell them apart");

            ClusterSingletonManagerSettings.Create(system).RemovalMargin.Should().Be(stableAfter,
                "Akka.NET's own settings replace the configured margin with the downing provider's");
            RingHost.ManagerSettings(system).RemovalMargin.Should().Be(configured);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
