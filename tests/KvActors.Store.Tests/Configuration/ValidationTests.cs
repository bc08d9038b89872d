using Akka.Configuration;
using KvActors.Client;
using KvActors.Node.Startup;
using KvActors.Storage;
using KvActors.Store.Configuration;
using static KvActors.Store.Tests.Configuration.Readers;

namespace KvActors.Store.Tests.Configuration;

/// <summary>
/// Mistakes in configuration: refused before anything starts, in one sentence that names where
/// the value came from (file path, "-D settings", "environment"), the key and what was expected.
/// </summary>
public sealed class ValidationTests : IDisposable
{
    private readonly ConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_unknown_kvactors_key_in_a_file_is_refused_with_the_nearest_key_suggested()
    {
        var file = _folder.Write("node.conf", "kvactors.remote.prot = 4053\n");

        ConfigError(() => Load(file)).Should().Be($"{file}: unknown setting 'kvactors.remote.prot'; did you mean 'kvactors.remote.port'?");
    }

    [Fact]
    public void An_unknown_key_from_D_or_the_environment_names_that_source()
    {
        ConfigError(() => Load(settings: ["kvactors.storage.fsnyc=always"]))
            .Should().Be("-D settings: unknown setting 'kvactors.storage.fsnyc'; did you mean 'kvactors.storage.fsync'?");
        ConfigError(() => Load(environment: Env(("KVACTORS__NODE__DATADIR", "x"))))
            .Should().Be("environment: unknown setting 'kvactors.node.datadir'; did you mean 'kvactors.node.data-dir'?");
    }

    [Fact]
    public void An_unknown_key_with_no_near_neighbour_points_to_reference_conf()
    {
        ConfigError(() => Load(settings: ["kvactors.shards.count=3"]))
            .Should().Be("-D settings: unknown setting 'kvactors.shards.count'; see hocon/reference.conf for the known ones.");
    }

    [Fact]
    public void Unknown_akka_keys_are_left_to_Akka()
    {
        var config = Load(settings: ["akka.cluster.some-future-setting=1"]);

        config.Config.GetInt("akka.cluster.some-future-setting").Should().Be(1);
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "kvactors.remote.port", "abc", "expected an integer, got 'abc'." },
        { "kvactors.remote.port", "70000", "expected 0..65535, got 70000." },
        { "kvactors.remote.host", "\"\"", "expected a host name or IP address, got ''." },
        { "kvactors.node.system-name", "\"kv actors\"", "expected letters, digits, '-' or '_', got 'kv actors'." },
        { "kvactors.cluster.seeds", "[\"nonsense\"]", "'nonsense' is not a host:port address." },
        { "kvactors.cluster.seeds", "\"127.0.0.1:4053\"", "expected a list such as [\"a\", \"b\"], got '127.0.0.1:4053'." },
        { "kvactors.cluster.min-nr-of-members", "0", "expected 1..1000, got 0." },
        { "kvactors.storage.fsync", "sometimes", "expected always, everysec or never, got 'sometimes'." },
        { "kvactors.storage.segment-size", "large", "expected a size such as 64KiB or 1MiB, got 'large'." },
        { "kvactors.storage.segment-size", "1KiB", "kvactors.storage.segment-size must be at least 4 KiB, not 1024 bytes." },
        { "kvactors.storage.repair", "maybe", "expected on or off, got 'maybe'." },
        { "kvactors.storage.mapped-segments", "maybe", "expected on or off, got 'maybe'." },
        { "kvactors.client.timeout", "soon", "expected a duration such as 500ms or 5s, got 'soon'." },
        { "kvactors.tls.certificate", "/no/such/cluster.pfx", "The certificate file '/no/such/cluster.pfx' does not exist." },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_in_a_file_names_the_file_the_key_and_what_was_expected(string key, string value, string expected)
    {
        var file = _folder.Write("node.conf", $"{key} = {value}\n");

        ConfigError(() => ReadAll(Load(file))).Should().Be($"{file}: {Prefix(key, expected)}{expected}");
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_D_setting_names_the_D_settings_the_key_and_what_was_expected(string key, string value, string expected) =>
        ConfigError(() => ReadAll(Load(settings: [$"{key}={value}"]))).Should().Be($"-D settings: {Prefix(key, expected)}{expected}");

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_environment_variable_names_the_environment_the_key_and_what_was_expected(string key, string value, string expected) =>
        ConfigError(() => ReadAll(Load(environment: Env((ConfigOverrides.VariableOf(key), value))))).Should().Be($"environment: {Prefix(key, expected)}{expected}");

    /// <summary>The storage engine's own messages start with the key already.</summary>
    private static string Prefix(string key, string expected) => expected.StartsWith(key, StringComparison.Ordinal) ? "" : $"{key}: ";

    [Theory]
    [InlineData("kvactors {\n  remote.port = 4053\n  }}} garbage\n", "line 3: '}' closes nothing.")]
    [InlineData("kvactors {\n  remote.port = 4053\n", "line 1: the '{' opened here is never closed.")]
    [InlineData("kvactors.cluster.seeds = [\"a:1\", }\n", "line 1: '}' does not match the '[' opened on line 1.")]
    [InlineData("kvactors.node.name = ${\n", "line 1: the '{' opened here is never closed.")]
    [InlineData("kvactors.node.name = \"unterminated\n", "line 1: the quoted string opened here is not closed on its line.")]
    [InlineData("kvactors {\n  node.name = x\n  remote port\n}\n", "'kvactors.remote port' has no value (expected key = value).")]
    [InlineData("kvactors.remote.port = 4053\nkvactors.storage.fsync = 1,,2\n", "line 2, column 28: unexpected ',' in \"kvactors.storage.fsync = 1,,2\".")]
    [InlineData("kvactors.node.name = ${?NO_SUCH_VARIABLE_ANYWHERE}\n", "'kvactors.node.name' refers to an object that encloses it (is it set to a substitution such as ${?X}?).")]
    public async Task A_file_that_is_not_valid_HOCON_is_one_sentence_with_the_file_and_where(string text, string expected)
    {
        var file = _folder.Write("broken.conf", text);

        // Akka's parser loops forever on some of these; the check before it must answer promptly.
        var load = Task.Run(() => ConfigError(() => Load(file)));
        (await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(load, "loading a broken file must fail, not hang");
        (await load).Should().Be($"{file}: {expected}");
    }

    [Fact]
    public void Comments_and_quoted_brackets_do_not_count_as_brackets()
    {
        var file = _folder.Write("node.conf", """
            # a comment with a stray } and [
            // another { one
            kvactors.node.name = "a } b [ c"  # trailing }
            kvactors.node.data-dir = \"\"\"multi
            line { value\"\"\"
            """.Replace("\\\"", "\""));

        var read = new SettingReader(Load(file));

        read.GetString("kvactors.node.name").Should().Be("a } b [ c");
        read.GetString("kvactors.node.data-dir").Should().Contain("line { value");
    }

    [Fact]
    public void A_D_value_that_is_not_valid_HOCON_is_taken_as_a_string()
    {
        var read = new SettingReader(Load(settings: ["kvactors.node.name=[half", "kvactors.node.data-dir=C:/data//n1"]));

        read.GetString("kvactors.node.name").Should().Be("[half");
        read.GetString("kvactors.node.data-dir").Should().Be("C:/data//n1");
    }

    [Fact]
    public void Reference_conf_alone_reads_cleanly_into_every_settings_object()
    {
        var config = Load();

        var node = NodeSettings.From(config);
        node.Should().BeEquivalentTo(new
        {
            Name = "127.0.0.1:4053", SystemName = "kvactors", Host = "127.0.0.1", Port = 4053, Seeds = Array.Empty<HostPort>(),
            Roles = Array.Empty<string>(), MinNrOfMembers = 1, DataDir = "data", Certificate = (object?)null,
        });
        StorageConfig.From(new SettingReader(config)).Should().Be(new StorageSettings(), "the engine's defaults equal reference.conf's");
        AdminClientOptions.FromConfig(config).Should().BeEquivalentTo(new
        {
            Timeout = TimeSpan.FromSeconds(5), CertificatePath = (string?)null, CertificatePasswordVariable = "KVACTORS_CERT_PASSWORD", SystemName = "kvactors",
        });
    }

    /// <summary>
    /// Every kvactors.* key reference.conf defines is read by some executable: a key set to a value
    /// of the wrong kind (an object) must make one of the readers fail naming that key. A key no code
    /// reads would pass unnoticed, which is how a documented setting silently stops working.
    /// </summary>
    [Fact]
    public void Every_kvactors_key_in_reference_conf_is_read_by_some_code_path()
    {
        var certificate = _folder.Certificate();
        var keys = KnownKeys.LeafPaths(KvConfig.Reference, KnownKeys.Root).ToList();
        keys.Should().Contain(["kvactors.remote.port", "kvactors.storage.fsync", "kvactors.client.timeout"]);

        var unread = new List<string>();
        foreach (var key in keys)
        {
            // A certificate is set so that keys read only with one (the password variable) are read too.
            var probe = ConfigurationFactory.ParseString($"kvactors.tls.certificate = {ConfigOverrides.Quote(certificate)}\n{key} = {{ probe = on }}");
            var config = new LayeredConfig([new ConfigLayer("probe", probe), new ConfigLayer(KvConfig.ReferenceSource, KvConfig.Reference)]);
            try
            {
                ReadAll(config);
                unread.Add(key);
            }
            catch (ConfigException e)
            {
                e.Message.Should().StartWith($"probe: {key}: ", "the reader that fails names the key it read");
            }
        }

        unread.Should().BeEmpty("every key in reference.conf must be read by kvnode, kv or a settings binder of ours (a public static From(SettingReader))");
    }
}
