using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>The REPL driven by a script (stdin not a terminal): one stdout line per command, failures in the exit code.</summary>
[Collection(StandaloneNodeCollection.Name)]
public sealed class ReplTests(NodeFixture fixture)
{
    private string Node => fixture.Address;

    private static RunResult Repl(string script, params string[] args) => Executables.Run(Executables.KvDll, args, input: script);

    [Fact]
    public void Every_command_prints_exactly_one_line_and_a_clean_script_exits_0()
    {
        var run = Repl("PING\n\nSTATUS\nLIST_NODES\nHELP\nEXIT\n", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines.Should().HaveCount(5, "five commands (the blank line is none): " + run);
        run.StdoutLines[0].Should().StartWith($"PONG from {Node} in ");
        ClusterView.Parse(run.StdoutLines[1]).IsUpWith(Node).Should().BeTrue(run.StdoutLines[1]);
        run.StdoutLines[2].Should().Be(Node);
        run.StdoutLines[3].Should().Be(ReplLines.Help);
        run.StdoutLines[4].Should().Be("BYE");
        run.Stderr.Should().BeEmpty();
        run.Stdout.Should().NotContain("\u001b").And.NotContain("kv>", "no prompt or banner when stdin is a script");
    }

    [Fact]
    public void A_failed_command_is_one_ERROR_line_the_script_goes_on_and_the_exit_code_is_2()
    {
        var run = Repl("PING\nGET\nFROB x\nLIST_NODES\n", "--seeds", Node);

        run.ExitCode.Should().Be(2, run.ToString());
        run.StdoutLines.Should().HaveCount(4, run.ToString());
        run.StdoutLines[0].Should().StartWith("PONG from ");
        run.StdoutLines[1].Should().Be("ERROR GET takes one key: GET key.");
        run.StdoutLines[2].Should().Be("ERROR Unknown command 'FROB': type HELP for the list.");
        run.StdoutLines[3].Should().Be(Node, "commands after a failure still run");
    }

    [Fact]
    public void Nothing_runs_after_EXIT()
    {
        var run = Repl("HELP\nEXIT\nPING\n", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines.Should().Equal(ReplLines.Help, "BYE");
    }

    [Fact]
    public void Without_a_node_each_command_that_needs_one_fails_in_its_own_line_promptly()
    {
        using var nobody = new RefusingPort();

        var run = Repl("PING\nHELP\nSTATUS\n", "--seeds", nobody.Address, "--timeout", "60s");

        run.ExitCode.Should().Be(2, run.ToString());
        var refused = $"ERROR No node answered: {nobody.Address} refused the connection (no node listens there).";
        run.StdoutLines.Should().Equal(refused, ReplLines.Help, refused);
        run.Elapsed.Should().BeLessThan(TestKitSettings.Dilated(TimeSpan.FromSeconds(20)), "refused connections do not wait out --timeout");
    }
}

internal static class ReplLines
{
    public const string Help = "commands: PING, STATUS, LIST_NODES, PUT key value, GET key, DELETE key, SETEX key ttl value, EXPIRE key ttl, TTL key, PERSIST key, INCR key [n], HELP, EXIT";
}
