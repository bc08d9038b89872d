using KvActors.TestKit.Processes;
namespace KvActors.Cli.Tests;

/// <summary>Mistakes and missing nodes: exit code 2 and one plain sentence on stderr, promptly.</summary>
public sealed class UsageErrorTests
{
    [Fact]
    public void Cluster_show_with_no_node_fails_within_the_timeout()
    {
        var port = Executables.FreePort();

        var run = Executables.Kv("cluster", "show", "--seeds", $"127.0.0.1:{port}", "--timeout", "1s");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"No node answered at 127.0.0.1:{port} within 1 s.");
        run.Stdout.Should().BeEmpty();
        run.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the wait is bounded by --timeout plus process start and stop");
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
    public void Kvnode_refuses_an_unknown_flag()
    {
        var run = Executables.RunNode("--bogus");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: Unrecognized command or argument '--bogus'.");
    }

    [Fact]
    public void Kvnode_with_a_garbage_config_file_names_file_line_and_column()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kvnode-garbage-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "kvactors {\n  remote.port = 4053\n  }}} garbage\n");
        try
        {
            var run = Executables.RunNode("--config", file);

            run.ExitCode.Should().Be(2, run.ToString());
            run.OneSentenceError().Should().MatchRegex($@"^kvnode: {System.Text.RegularExpressions.Regex.Escape(file)}:3:\d+: ");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Kvnode_with_a_value_of_the_wrong_type_names_the_key()
    {
        var run = Executables.RunNode("-Dkvactors.remote.port=abc");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Contain("kvactors.remote.port: expected an integer, got 'abc'");
    }
}
