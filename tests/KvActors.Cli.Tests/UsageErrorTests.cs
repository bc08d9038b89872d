using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>Mistakes and missing nodes: exit code 2 and one plain sentence on stderr, promptly, with no node running.</summary>
public sealed class UsageErrorTests
{
    /// <summary>Well under the 60 s --timeout the commands below are given: process start-up and stop on a loaded machine.</summary>
    private static readonly TimeSpan Prompt = TestKitSettings.Dilated(TimeSpan.FromSeconds(15));

    [Fact]
    public void A_refused_connection_fails_at_once_not_after_the_timeout()
    {
        using var nobody = new RefusingPort();

        var run = Executables.Kv("cluster", "show", "--seeds", nobody.Address, "--timeout", "60s");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"No node answered: {nobody.Address} refused the connection (no node listens there).");
        run.Stdout.Should().BeEmpty();
        run.Elapsed.Should().BeLessThan(Prompt, "a refused port is reported at once, not after --timeout");
    }

    [Fact]
    public void A_silent_node_fails_after_the_timeout_from_KVACTORS__CLIENT__TIMEOUT()
    {
        using var silent = new SilentListener();

        var run = Executables.Run(Executables.KvDll, ["cluster", "show", "--seeds", silent.Address],
            environment: new Dictionary<string, string?> { ["KVACTORS__CLIENT__TIMEOUT"] = "1s" });

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith($"No node answered: {silent.Address} accepted the connection but its admin actor did not answer within 1 s");
        silent.Connections.Should().BeGreaterThan(0);
    }

    [Fact]
    public void A_bad_client_setting_in_the_environment_is_one_sentence_naming_it()
    {
        var run = Executables.Run(Executables.KvDll, ["cluster", "show"],
            environment: new Dictionary<string, string?> { ["KVACTORS__CLIENT__TIMEOUT"] = "soon" });

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("environment: kvactors.client.timeout: expected a duration such as 500ms or 5s, got 'soon'.");
    }

    [Theory]
    [InlineData("leave", "127.0.0.1", "'127.0.0.1' is not a host:port address.")]
    [InlineData("down", "127.0.0.1:99999", "'127.0.0.1:99999' has no valid port (1..65535).")]
    [InlineData("join", "somewhere:", "'somewhere:' is not a host:port address.")]
    public void A_bad_member_address_is_refused_before_contacting_anything(string verb, string address, string error)
    {
        // A node that accepts connections but never answers: had kv contacted it, kv would wait out --timeout.
        using var trap = new SilentListener();

        var run = Executables.Kv("cluster", verb, address, "--seeds", trap.Address, "--timeout", "60s");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be(error);
        run.Elapsed.Should().BeLessThan(Prompt);
        trap.Connections.Should().Be(0, "the address is checked before any node is contacted");
    }

    [Fact]
    public void A_bad_node_to_forget_is_refused_before_contacting_anything()
    {
        using var trap = new SilentListener();

        var run = Executables.Kv("ring", "forget", "127.0.0.1:4054", "nowhere", "--seeds", trap.Address, "--timeout", "60s");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("'nowhere' is not a host:port address.");
        trap.Connections.Should().Be(0, "every address is checked before any node is contacted");
    }

    [Fact]
    public void Kv_refuses_an_unknown_flag()
    {
        var run = Executables.Kv("cluster", "show", "--bogus");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Contain("--bogus");
    }

    [Fact]
    public void Kv_refuses_a_bad_seed_list()
    {
        var run = Executables.Kv("cluster", "show", "--seeds", "nonsense");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("--seeds: 'nonsense' is not a host:port address.");
    }

    [Fact]
    public void Kv_refuses_a_bad_timeout()
    {
        var run = Executables.Kv("cluster", "show", "--timeout", "soon");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("--timeout 'soon' is not a positive duration such as 5s or 500ms.");
    }

    [Fact]
    public void Kvnode_port_that_is_not_a_number_is_one_sentence_without_type_names()
    {
        var run = Executables.RunNode("--port", "abc");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: command-line flags: kvactors.remote.port: expected an integer, got 'abc'.");
    }

    [Fact]
    public void Kvnode_refuses_an_unknown_flag()
    {
        var run = Executables.RunNode("--bogus");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: Unrecognized command or argument '--bogus'.");
    }

    [Fact]
    public void Kvnode_refuses_an_unknown_D_setting_and_suggests_the_nearest_key()
    {
        var run = Executables.RunNode("-Dkvactors.remote.prot=4053");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: -D settings: unknown setting 'kvactors.remote.prot'; did you mean 'kvactors.remote.port'?");
    }

    [Fact]
    public void Kvnode_refuses_an_unknown_setting_from_the_environment()
    {
        var run = Executables.Run(Executables.NodeDll, [], environment: new Dictionary<string, string?> { ["KVACTORS__STORAGE__FSYNK"] = "always" });

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: environment: unknown setting 'kvactors.storage.fsynk'; did you mean 'kvactors.storage.fsync'?");
    }

    [Fact]
    public void Kvnode_with_a_garbage_config_file_names_the_file_and_the_line()
    {
        using var file = TempFile.WithText("kvactors {\n  remote.port = 4053\n  }}} garbage\n");

        var run = Executables.RunNode("--config", file.Path);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"kvnode: {file.Path}: line 3: '}}' closes nothing.");
    }

    [Fact]
    public void Kvnode_with_a_line_that_is_not_key_value_names_the_file_and_the_key()
    {
        using var file = TempFile.WithText("kvactors {\n  remote {\n    port 4053 oops\n  }\n}\n");

        var run = Executables.RunNode("--config", file.Path);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith($"kvnode: {file.Path}: ").And.Contain("kvactors.remote.port 4053 oops").And.Contain("has no value");
    }

    [Fact]
    public void Kvnode_with_a_value_of_the_wrong_type_in_its_file_names_the_file_the_key_and_what_was_expected()
    {
        using var file = TempFile.WithText("kvactors.storage.segment-size = large\n");

        var run = Executables.RunNode("--config", file.Path);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"kvnode: {file.Path}: kvactors.storage.segment-size: expected a size such as 64KiB or 1MiB, got 'large'.");
    }

    [Fact]
    public void Kvnode_with_a_missing_config_file_says_so()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.conf");

        var run = Executables.RunNode("--config", missing);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"kvnode: {missing}: the config file does not exist.");
    }
}

/// <summary>A temporary file deleted on Dispose.</summary>
public sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static TempFile WithText(string text, string extension = ".conf")
    {
        var file = new TempFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kvactors-test-{Guid.NewGuid():N}{extension}"));
        File.WriteAllText(file.Path, text);
        return file;
    }

    public static TempFile Named(string extension) =>
        new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kvactors-test-{Guid.NewGuid():N}{extension}"));

    public void Dispose() => File.Delete(Path);
}
