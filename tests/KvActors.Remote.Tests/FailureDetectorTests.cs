using KvActors.Remote.FailureDetection;

namespace KvActors.Remote.Tests;

public class FailureDetectorTests
{
    private static PhiAccrualSettings S(double threshold = 8, int pauseMs = 0, int minStdMs = 10, int firstMs = 1000, int max = 1000) => new()
    {
        Threshold = threshold,
        MaxSampleSize = max,
        MinStdDeviation = TimeSpan.FromMilliseconds(minStdMs),
        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(pauseMs),
        FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(firstMs),
    };

    [Fact]
    public void Phi_is_zero_and_available_before_first_heartbeat()
    {
        var fd = new PhiAccrualFailureDetector(S());
        fd.IsMonitoring.Should().BeFalse();
        fd.Phi(123_456).Should().Be(0);
        fd.IsAvailable(123_456).Should().BeTrue();
    }

    [Fact]
    public void Phi_grows_with_silence()
    {
        var fd = new PhiAccrualFailureDetector(S());
        long t = 0;
        for (var i = 0; i < 20; i++, t += 1000) fd.Heartbeat(t);
        var last = t - 1000;
        var phis = new[] { 500, 1000, 1500, 2000, 3000, 5000 }.Select(d => fd.Phi(last + d)).ToArray();
        phis.Should().BeInAscendingOrder();
        phis[^1].Should().BeGreaterThan(8);
        fd.IsAvailable(last + 5000).Should().BeFalse();
    }

    [Fact]
    public void Stays_available_with_regular_heartbeats()
    {
        var fd = new PhiAccrualFailureDetector(S(minStdMs: 100));
        var rnd = new Random(7);
        long t = 0;
        for (var i = 0; i < 1000; i++)
        {
            t += 1000 + rnd.Next(-50, 50);
            fd.Heartbeat(t);
            fd.Phi(t + 900).Should().BeLessThan(1.0);
            fd.IsAvailable(t + 1000).Should().BeTrue();
        }
    }

    [Fact]
    public void Acceptable_pause_is_honoured()
    {
        var strict = new PhiAccrualFailureDetector(S(threshold: 3, pauseMs: 0));
        var tolerant = new PhiAccrualFailureDetector(S(threshold: 3, pauseMs: 3000));
        for (long t = 0; t <= 10_000; t += 1000) { strict.Heartbeat(t); tolerant.Heartbeat(t); }
        // 3.5 s of silence after a 1 s rhythm: failed without a pause allowance, fine with 3 s of it.
        strict.IsAvailable(10_000 + 3500).Should().BeFalse();
        tolerant.IsAvailable(10_000 + 3500).Should().BeTrue();
        tolerant.IsAvailable(10_000 + 6000).Should().BeFalse();
    }

    [Fact]
    public void Min_std_deviation_is_honoured()
    {
        // Perfectly regular heartbeats have zero variance; the floor decides how sharp phi rises.
        // (max-sample-size 50 so the seeded first-estimate samples have left the window)
        var sharp = new PhiAccrualFailureDetector(S(minStdMs: 1, max: 50));
        var soft = new PhiAccrualFailureDetector(S(minStdMs: 500, max: 50));
        for (long t = 0; t <= 100_000; t += 1000) { sharp.Heartbeat(t); soft.Heartbeat(t); }
        var at = 100_000 + 1100;
        sharp.Phi(at).Should().BeGreaterThan(8);
        soft.Phi(at).Should().BeLessThan(1);
        soft.Phi(at).Should().BeApproximately(PhiAccrualFailureDetector.PhiOf(1100, 1000, 500), 1e-9);
    }

    [Fact]
    public void First_heartbeat_estimate_seeds_the_history()
    {
        var fast = new PhiAccrualFailureDetector(S(firstMs: 100, threshold: 8));
        var slow = new PhiAccrualFailureDetector(S(firstMs: 5000, threshold: 8));
        fast.Heartbeat(0); slow.Heartbeat(0);
        fast.IsAvailable(2000).Should().BeFalse();
        slow.IsAvailable(2000).Should().BeTrue();
    }

    [Fact]
    public void Heartbeat_after_failure_does_not_skew_history_and_recovers()
    {
        var fd = new PhiAccrualFailureDetector(S());
        long t = 0;
        for (var i = 0; i < 20; i++, t += 1000) fd.Heartbeat(t);
        fd.Heartbeat(t + 60_000); // after a long outage
        fd.IsAvailable(t + 60_000 + 1000).Should().BeTrue();
        fd.IsAvailable(t + 60_000 + 4000).Should().BeFalse("the 60 s gap was not added to the history");
    }

    [Fact]
    public void Max_sample_size_bounds_the_history()
    {
        var fd = new PhiAccrualFailureDetector(S(max: 5, minStdMs: 1000));
        long t = 0;
        for (var i = 0; i < 50; i++, t += 500) fd.Heartbeat(t);   // old rhythm: 500 ms
        for (var i = 0; i < 10; i++, t += 1000) fd.Heartbeat(t);  // new rhythm fills the 5-sample window
        var last = t - 1000;
        // Mean exactly 1000 (std 0 -> floor): the 500 ms samples have left the window.
        fd.Phi(last + 1500).Should().BeApproximately(PhiAccrualFailureDetector.PhiOf(1500, 1000, 1000), 1e-9);
    }

    [Fact]
    public void Registry_keys_detectors_by_resource()
    {
        var reg = new FailureDetectorRegistry<string>(() => new PhiAccrualFailureDetector(S()));
        reg.IsAvailable("a", 0).Should().BeTrue();
        reg.IsMonitoring("a").Should().BeFalse();
        for (long t = 0; t <= 10_000; t += 1000) { reg.Heartbeat("a", t); reg.Heartbeat("b", t); }
        for (long t = 11_000; t <= 20_000; t += 1000) reg.Heartbeat("b", t);
        reg.IsAvailable("a", 20_000).Should().BeFalse();
        reg.IsAvailable("b", 20_000).Should().BeTrue();
        reg.Monitored.Should().BeEquivalentTo(new[] { "a", "b" });
        reg.Remove("a");
        reg.IsMonitoring("a").Should().BeFalse();
        reg.IsAvailable("a", 20_000).Should().BeTrue();
        reg.Reset();
        reg.Monitored.Should().BeEmpty();
    }
}
