using Akka.Configuration;
using KvActors.Store.Configuration;
using static KvActors.Store.Tests.Configuration.Readers;

namespace KvActors.Store.Tests.Configuration;

/// <summary>Where settings come from and which wins: flags > -D > environment > --config file > reference.conf.</summary>
public sealed class LayeringTests : IDisposable
{
    private readonly ConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Flags_beat_D_settings_beat_the_environment_beat_the_file_beat_reference_conf()
    {
        var file = _folder.Write("node.conf", """
            kvactors.remote.port = 1001
            kvactors.node.name = from-file
            kvactors.node.data-dir = from-file
            kvactors.storage.fsync = never
            """);

        var config = Load(file,
            settings: ["kvactors.remote.port=1003", "kvactors.node.name=from-d"],
            flags: "kvactors.remote.port = 1004",
            environment: Env(("KVACTORS__REMOTE__PORT", "1002"), ("KVACTORS__NODE__NAME", "from-env"), ("KVACTORS__NODE__DATA_DIR", "from-env")));
        var read = new SettingReader(config);

        read.GetInt("kvactors.remote.port").Should().Be(1004);
        read.GetString("kvactors.node.name").Should().Be("from-d");
        read.GetString("kvactors.node.data-dir").Should().Be("from-env");
        read.GetString("kvactors.storage.fsync").Should().Be("never");
        read.GetString("kvactors.node.system-name").Should().Be("kvactors");

        config.SourceOf("kvactors.remote.port").Should().Be("command-line flags");
        config.SourceOf("kvactors.node.name").Should().Be("-D settings");
        config.SourceOf("kvactors.node.data-dir").Should().Be("environment");
        config.SourceOf("kvactors.storage.fsync").Should().Be(file);
        config.SourceOf("kvactors.node.system-name").Should().Be("reference.conf");
    }

    [Fact]
    public void Each_layer_wins_over_the_ones_below_it_for_the_same_key()
    {
        var file = _folder.Write("node.conf", "kvactors.remote.port = 1001\n");
        var env = Env(("KVACTORS__REMOTE__PORT", "1002"));
        int Port(LayeredConfig c) => new SettingReader(c).GetInt("kvactors.remote.port");

        Port(Load()).Should().Be(4053, "reference.conf");
        Port(Load(file)).Should().Be(1001, "the file over reference.conf");
        Port(Load(file, environment: env)).Should().Be(1002, "the environment over the file");
        Port(Load(file, settings: ["kvactors.remote.port=1003"], environment: env)).Should().Be(1003, "-D over the environment");
        Port(Load(file, settings: ["kvactors.remote.port=1003"], flags: "kvactors.remote.port = 1004", environment: env)).Should().Be(1004, "flags over -D");
    }

    [Fact]
    public void Later_D_settings_win_over_earlier_ones()
    {
        var config = Load(settings: ["kvactors.remote.port=1", "kvactors.remote.port=2"]);

        new SettingReader(config).GetInt("kvactors.remote.port").Should().Be(2);
    }

    [Fact]
    public void Akka_keys_layer_the_same_way()
    {
        const string key = "akka.cluster.failure-detector.threshold";
        var env = Env(("AKKA__CLUSTER__FAILURE_DETECTOR__THRESHOLD", "11.5"));

        Load().Config.GetDouble(key).Should().Be(10.0, "reference.conf changes Akka's 8 to 10");
        Load(environment: env).Config.GetDouble(key).Should().Be(11.5);
        Load(settings: [$"{key}=12"], environment: env).Config.GetDouble(key).Should().Be(12.0);
    }

    [Theory]
    [InlineData("KVACTORS__REMOTE__PORT", "kvactors.remote.port")]
    [InlineData("AKKA__CLUSTER__FAILURE_DETECTOR__THRESHOLD", "akka.cluster.failure-detector.threshold")]
    [InlineData("KVACTORS__STORAGE__MAX_VALUE_SIZE", "kvactors.storage.max-value-size")]
    [InlineData("AKKA__REMOTE__DOT_NETTY__TCP__HOSTNAME", "akka.remote.dot-netty.tcp.hostname")]
    public void Environment_variables_map_to_keys_and_back(string variable, string key)
    {
        ConfigOverrides.KeyOf(variable).Should().Be(key);
        ConfigOverrides.VariableOf(key).Should().Be(variable);
    }

    [Fact]
    public void Only_KVACTORS__and_AKKA__variables_count_and_their_values_are_HOCON_values()
    {
        var config = ConfigOverrides.FromEnvironment(Env(
            ("KVACTORS__CLUSTER__SEEDS", """["127.0.0.1:4053", "127.0.0.1:4054"]"""),
            ("KVACTORS__NODE__DATA_DIR", "/var/lib/kvactors/n1"),
            ("KVACTORS__REMOTE__HOST", "::1"),
            ("KVACTORS__CLIENT__TIMEOUT", "500ms"),
            ("KVACTORS_CERT_PASSWORD", "not a setting"),
            ("kvactors__remote__port", "not a setting either"),
            ("PATH", "/usr/bin")), "environment");

        config.GetStringList("kvactors.cluster.seeds").Should().Equal("127.0.0.1:4053", "127.0.0.1:4054");
        config.GetString("kvactors.node.data-dir").Should().Be("/var/lib/kvactors/n1");
        config.GetString("kvactors.remote.host").Should().Be("::1");
        config.GetTimeSpan("kvactors.client.timeout").Should().Be(TimeSpan.FromMilliseconds(500));
        config.HasPath("kvactors.remote.port").Should().BeFalse();
        config.Root.GetObject().Items.Keys.Should().BeEquivalentTo(["kvactors"]);
    }

    [Fact]
    public void An_include_is_resolved_relative_to_the_including_file_not_the_working_directory()
    {
        var main = _folder.Write("conf/node.conf", """
            include "common/base.conf"
            kvactors.node.name = main
            """);
        _folder.Write("conf/common/base.conf", """
            kvactors.remote.port = 4100
            include "more.conf"
            """);
        _folder.Write("conf/common/more.conf", "kvactors.node.data-dir = \"from-more\"\n");
        Directory.GetCurrentDirectory().Should().NotStartWith(_folder.Path, "the test must not pass by running in the config folder");

        var read = new SettingReader(Load(main));

        read.GetString("kvactors.node.name").Should().Be("main");
        read.GetInt("kvactors.remote.port").Should().Be(4100);
        read.GetString("kvactors.node.data-dir").Should().Be("from-more");
    }

    [Fact]
    public void A_missing_include_is_a_clear_error_naming_the_file_and_the_include()
    {
        var main = _folder.Write("node.conf", "include \"nope.conf\"\nkvactors.node.name = x\n");

        ConfigError(() => Load(main)).Should().Be($"{main}: included file 'nope.conf' does not exist.");
    }

    [Fact]
    public void A_cycle_of_includes_is_a_clear_error()
    {
        var a = _folder.Write("a.conf", "include \"b.conf\"\n");
        _folder.Write("b.conf", "include \"a.conf\"\n");

        ConfigError(() => Load(a)).Should().Contain("includes itself through a cycle of includes");
    }

    [Fact]
    public void A_missing_config_file_is_a_clear_error()
    {
        var missing = Path.Combine(_folder.Path, "missing.conf");

        ConfigError(() => Load(missing)).Should().Be($"{missing}: the config file does not exist.");
    }

    [Fact]
    public void The_sample_configs_load_and_read_cleanly()
    {
        var hocon = Path.Combine(RepoRoot(), "hocon");
        foreach (var sample in new[] { "seed.conf", "member.conf" })
        {
            var config = Load(Path.Combine(hocon, sample));
            ReadAll(config);
        }
        new SettingReader(Load(Path.Combine(hocon, "seed.conf"))).GetStringList("kvactors.cluster.seeds").Should().Equal("127.0.0.1:4053");
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Directory.Packages.props) is not above the test folder.");
    }
}
