using KvActors.Hocon;

namespace KvActors.Remote.Tests;

public class SettingsTests
{
    [Fact]
    public void Empty_config_gives_the_documented_defaults()
    {
        var s = RemoteSettings.FromConfig(Config.Empty);
        s.Should().BeEquivalentTo(RemoteSettings.Default);
        s.Hostname.Should().Be("127.0.0.1");
        s.Port.Should().Be(0);
        s.MaximumFrameSize.Should().Be(4 << 20);
        s.Insecure.Should().BeFalse();
    }

    [Fact]
    public void Reference_conf_documents_every_remote_key()
    {
        var text = File.ReadAllText(Path.Combine(FindRepoRoot(), "hocon", "reference.conf"));
        foreach (var key in new[] { "hostname", "port", "secret", "insecure", "maximum-frame-size", "handshake-timeout", "connect-timeout",
                     "min", "max", "outbound-queue-size", "flush-threshold", "system-message-buffer-size", "system-message-resend-interval",
                     "give-up-system-message-after", "heartbeat-interval", "threshold", "max-sample-size", "min-std-deviation",
                     "acceptable-heartbeat-pause", "expected-response-after" })
            text.Should().MatchRegex($@"(?m)^\s*{System.Text.RegularExpressions.Regex.Escape(key)}\s*=", key);
        text.Count(c => c == '{').Should().Be(text.Count(c => c == '}'));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    public void Non_loopback_without_secret_is_refused_unless_insecure(string host)
    {
        var s = RemoteSettings.Default with { Hostname = host };
        s.Invoking(x => x.EnsureSafeToBind()).Should().Throw<InvalidOperationException>().WithMessage("*secret*");
        (s with { Insecure = true }).EnsureSafeToBind();
        (s with { Secret = "x" }).EnsureSafeToBind();
        RemoteSettings.Default.EnsureSafeToBind();
        (RemoteSettings.Default with { Hostname = "localhost" }).EnsureSafeToBind();
    }

    [Fact]
    public void Nonsense_settings_are_refused()
    {
        (RemoteSettings.Default with { Port = 70000 }).Invoking(s => s.Validated()).Should().Throw<ArgumentException>();
        (RemoteSettings.Default with { MaximumFrameSize = 10 }).Invoking(s => s.Validated()).Should().Throw<ArgumentException>();
        (RemoteSettings.Default with { BackoffMax = TimeSpan.Zero }).Invoking(s => s.Validated()).Should().Throw<ArgumentException>();
    }

    private static string FindRepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "KvActors.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repo root not found");
    }
}
