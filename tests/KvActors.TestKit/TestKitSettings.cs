namespace KvActors.TestKit;

/// <summary>
/// Default timeouts of probes and awaits. Every default is multiplied by the environment
/// variable KVACTORS_TEST_TIMEFACTOR (default 1), so a slow or loaded machine can stretch them
/// all at once without touching a test.
/// </summary>
public static class TestKitSettings
{
    public static double TimeFactor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("KVACTORS_TEST_TIMEFACTOR"), System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1.0;

    /// <summary>How long ExpectMsg and friends wait when no timeout is given.</summary>
    public static TimeSpan DefaultTimeout => Dilated(TimeSpan.FromSeconds(5));

    /// <summary>How long ExpectNoMsg listens when no duration is given.</summary>
    public static TimeSpan DefaultNoMessageDuration => Dilated(TimeSpan.FromMilliseconds(200));

    public static TimeSpan Dilated(TimeSpan duration) => duration * TimeFactor;
}
