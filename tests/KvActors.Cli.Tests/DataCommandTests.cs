using System.Text.RegularExpressions;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using Xunit.Sdk;

namespace KvActors.Cli.Tests;

/// <summary>Three kvnodes (values limited to 1 KiB), ready once `kv put` succeeds.</summary>
public sealed class ThreeNodeFixture : IDisposable
{
    private readonly ProcessGroup _nodes = new();

    public ThreeNodeFixture()
    {
        try
        {
            string[] limit = ["-Dkvactors.storage.max-value-size=1KiB"];
            var seed = _nodes.StartNode(new NodeOptions { Name = "data-seed", Arguments = limit });
            var m1 = _nodes.StartNode(new NodeOptions { Name = "data-m1", Seeds = [seed.Address], Arguments = limit });
            var m2 = _nodes.StartNode(new NodeOptions { Name = "data-m2", Seeds = [seed.Address], Arguments = limit });
            Seed = seed.Address;
            Nodes = [seed, m1, m2];
            // The ring needs a moment after start: the cluster is ready once a put is acknowledged.
            Awaiting.AwaitAssert(() =>
            {
                var run = Executables.Kv("put", "ready", "yes", "--seeds", Seed);
                if (run.ExitCode != 0) throw new XunitException($"The three nodes never accepted a put: {run}");
            }, TestKitSettings.Dilated(TimeSpan.FromSeconds(60)), TimeSpan.FromMilliseconds(500));
        }
        catch
        {
            _nodes.Dispose();
            throw;
        }
    }

    public string Seed { get; } = "";

    /// <summary>The three nodes, the seed first (their output is there to read).</summary>
    public IReadOnlyList<NodeProcess> Nodes { get; } = [];

    public void Dispose() => _nodes.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ThreeNodeCollection : ICollectionFixture<ThreeNodeFixture>
{
    public const string Name = "three kvnodes";
}

/// <summary>kv's data commands, one-shot and in a piped REPL, against three kvnodes.</summary>
[Collection(ThreeNodeCollection.Name)]
public sealed class DataCommandTests(ThreeNodeFixture fixture)
{
    private static readonly Regex Placement = new(@"^OK PUT (?<key>\S+) \[partition \d+, epoch \d+, primary 127\.0\.0\.1:\d+, replicas 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\]$");

    private RunResult Kv(params string[] args) => Executables.Kv([.. args, "--seeds", fixture.Seed]);

    [Fact]
    public void Put_get_delete_round_trip_and_a_missing_key_exits_1()
    {
        var put = Kv("put", "user:alice", "hello");
        put.ExitCode.Should().Be(0, put.ToString());
        Placement.IsMatch(put.Stdout.TrimEnd('\n')).Should().BeTrue(put.ToString());

        var get = Kv("get", "user:alice");
        get.ExitCode.Should().Be(0, get.ToString());
        get.Stdout.Should().Be("hello\n");

        var delete = Kv("delete", "user:alice");
        delete.ExitCode.Should().Be(0, delete.ToString());
        delete.Stdout.Should().StartWith("OK DELETE user:alice [partition ");

        var missing = Kv("get", "user:alice");
        missing.ExitCode.Should().Be(1, missing.ToString());
        missing.Stdout.Should().BeEmpty();
        missing.OneSentenceError().Should().Be("Key 'user:alice' not found.");

        var again = Kv("delete", "user:alice", "--json");
        again.ExitCode.Should().Be(1, again.ToString());
        again.Stdout.Should().Contain("\"existed\": false");
    }

    [Fact]
    public void A_JSON_value_round_trips_unchanged_and_json_output_carries_it()
    {
        const string value = """{"name": "Alice", "tags": ["a", "b"], "n": 1.5, "q": "say \"hi\""}""";
        Kv("put", "json:1", value).ExitCode.Should().Be(0);

        var get = Kv("get", "json:1");
        get.ExitCode.Should().Be(0, get.ToString());
        get.Stdout.Should().Be(value + "\n");

        var json = Kv("get", "json:1", "--json");
        json.ExitCode.Should().Be(0, json.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
        doc.RootElement.GetProperty("found").GetBoolean().Should().BeTrue();
        doc.RootElement.GetProperty("value").GetString().Should().Be(value);
    }

    [Fact]
    public void Put_dash_reads_the_value_from_stdin()
    {
        var put = Executables.Run(Executables.KvDll, ["put", "stdin:1", "-", "--seeds", fixture.Seed], input: "line one\nline two");
        put.ExitCode.Should().Be(0, put.ToString());

        Kv("get", "stdin:1").Stdout.Should().Be("line one\nline two\n");
    }

    [Fact]
    public void An_oversized_value_is_refused_in_one_sentence_with_exit_code_2()
    {
        var run = Kv("put", "big:1", new string('x', 2048));

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().NotBeEmpty();
        run.Elapsed.Should().BeLessThan(TestKitSettings.Dilated(TimeSpan.FromSeconds(15)), "a refusal is not retried");
        Kv("get", "big:1").ExitCode.Should().Be(1);
    }

    [Fact]
    public void A_piped_REPL_prints_one_line_per_data_command()
    {
        var run = Executables.Run(Executables.KvDll, ["--seeds", fixture.Seed],
            input: "PUT repl:1 {\"a\": [1, 2]}\nGET repl:1\nSET repl:2 \"two words\"\nGET repl:2\nDEL repl:1\nGET repl:1\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines.Should().HaveCount(6, run.ToString());
        Placement.IsMatch(run.StdoutLines[0]).Should().BeTrue(run.ToString());
        run.StdoutLines[1].Should().Be("{\"a\": [1, 2]}");
        run.StdoutLines[2].Should().StartWith("OK PUT repl:2 [");
        run.StdoutLines[3].Should().Be("two words");
        run.StdoutLines[4].Should().StartWith("OK DELETE repl:1 [");
        run.StdoutLines[5].Should().Be("NOT FOUND repl:1");
    }

    [Fact]
    public void Put_with_a_ttl_expires_and_get_never_prints_the_expired_key()
    {
        Kv("put", "ttl:1", "soon", "--ttl", "700ms").ExitCode.Should().Be(0);
        Kv("put", "ttl:2", "later", "--ttl", "10m").ExitCode.Should().Be(0);
        Kv("put", "ttl:bad", "x", "--ttl", "soon").Stderr.Should().Contain("--ttl: expected a duration");
        // Once its time has passed the key is gone for every reader: await that, within a deadline.
        Awaiting.AwaitAssert(() =>
        {
            var run = Kv("get", "ttl:1");
            run.ExitCode.Should().Be(1, run.ToString());
        }, TestKitSettings.Dilated(TimeSpan.FromSeconds(20)), TimeSpan.FromMilliseconds(200));
        Kv("get", "ttl:2").StdoutLines.Should().Equal("later");
    }

    [Fact]
    public void The_REPL_sets_expiries_and_counts()
    {
        var run = Executables.Run(Executables.KvDll, ["--seeds", fixture.Seed],
            input: "SETEX repl:ttl 10m v\nTTL repl:ttl\nPERSIST repl:ttl\nTTL repl:ttl\nINCR repl:n\nINCR repl:n 41\nTTL repl:none\n");
        run.StdoutLines.Should().HaveCount(7, run.ToString());
        run.StdoutLines[0].Should().StartWith("OK SETEX repl:ttl [");
        run.StdoutLines[1].Should().MatchRegex(@"^\d+ ms$");
        long.Parse(run.StdoutLines[1].Split(' ')[0]).Should().BeInRange(1, 600_000);
        run.StdoutLines.Skip(2).Should().Equal("OK PERSIST repl:ttl", "NO EXPIRY", "1", "42", "NOT FOUND repl:none");
    }
}
