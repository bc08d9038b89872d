using System.Globalization;

namespace KvActors.TestKit;

/// <summary>
/// One time factor for every deadline in the tests: the environment variable
/// KVACTORS_TEST_TIMEFACTOR (default 1) stretches them all on a slow or loaded machine. The
/// in-process cluster specs hand it to Akka.TestKit as <c>akka.test.timefactor</c>, so Akka's own
/// Dilated/AwaitAssert/ExpectMsg use it too; the process harness (no actor system) uses <see cref="Dilated"/>.
/// </summary>
public static class TestKitSettings
{
    public static double TimeFactor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("KVACTORS_TEST_TIMEFACTOR"), CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1.0;

    /// <summary>How long an await waits when no timeout is given.</summary>
    public static TimeSpan DefaultTimeout => Dilated(TimeSpan.FromSeconds(5));

    public static TimeSpan Dilated(TimeSpan duration) => duration * TimeFactor;

    /// <summary>The factor as Akka.TestKit configuration (for every actor system a test creates).</summary>
    public static string AkkaTestConfig => string.Create(CultureInfo.InvariantCulture, $"akka.test.timefactor = {TimeFactor}");

    /// <summary>A local test actor system's configuration: the factor above, and Akka's log at INFO.</summary>
    public static Akka.Configuration.Config LocalActorSystem =>
        Akka.Configuration.ConfigurationFactory.ParseString($"akka.loglevel = INFO\n{AkkaTestConfig}");
}
