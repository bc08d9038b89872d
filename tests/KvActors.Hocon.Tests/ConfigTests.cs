using System.Collections;
using KvActors.Hocon;

namespace KvActors.Hocon.Tests;

public class ConfigTests
{
    [Fact]
    public void WithFallback_prefers_this_and_merges_objects_deeply()
    {
        var user = Config.Parse("kvactors.remote { port = 4053 }\nlist = [a]");
        var defaults = Config.Parse("kvactors.remote { port = 2552, host = localhost }\nkvactors.other = 1\nlist = [x, y]");
        var merged = user.WithFallback(defaults);
        merged.GetInt("kvactors.remote.port").Should().Be(4053);
        merged.GetString("kvactors.remote.host").Should().Be("localhost");
        merged.GetInt("kvactors.other").Should().Be(1);
        merged.GetStringList("list").Should().Equal("a");
        // Inputs are unchanged: configs are immutable.
        user.HasPath("kvactors.remote.host").Should().BeFalse();
        defaults.GetInt("kvactors.remote.port").Should().Be(2552);
    }

    [Fact]
    public void GetConfig_keeps_the_full_path_in_errors()
    {
        var config = Config.Parse("kvactors {\n  remote {\n    port = abc\n  }\n}", "hocon/seed.conf");
        var remote = config.GetConfig("kvactors").GetConfig("remote");
        InvalidInputTests.Catch(() => remote.GetInt("port"))
            .Should().Be("hocon/seed.conf:3:12: kvactors.remote.port: expected an integer, got 'abc'");
        InvalidInputTests.Catch(() => remote.GetInt("timeout"))
            .Should().Be("missing configuration key 'kvactors.remote.timeout'");
        InvalidInputTests.Catch(() => config.GetConfig("kvactors.cluster").GetString("name"))
            .Should().Be("missing configuration key 'kvactors.cluster.name'");
        remote.GetKeys().Should().Equal("port");
    }

    [Fact]
    public void GetConfig_then_WithFallback_keeps_prefix()
    {
        var sub = Config.Parse("a { x = 1 }").GetConfig("a").WithFallback(Config.Parse("y = 2"));
        sub.GetInt("y").Should().Be(2);
        InvalidInputTests.Catch(() => sub.GetInt("z")).Should().Be("missing configuration key 'a.z'");
    }

    [Fact]
    public void Bad_path_expression_is_a_hocon_error()
    {
        InvalidInputTests.Catch(() => Config.Parse("a = 1").GetInt("a..b")).Should().Be("bad path expression 'a..b'");
    }

    [Fact]
    public void Environment_overrides_map_names_to_paths()
    {
        var env = new Hashtable
        {
            ["KVACTORS__REMOTE__PORT"] = "4053",
            ["KVACTORS__ACTOR__DEFAULT_DISPATCHER__THROUGHPUT"] = "10",
            ["KVACTORS__CLUSTER__SEEDS"] = "[\"a:1\", \"b:2\"]",
            ["KVACTORS__REMOTE__TIMEOUT"] = "500ms",
            ["KVACTORS__NAME"] = "\"quoted value\"",
            ["OTHER__REMOTE__PORT"] = "1",
            ["PATH"] = "/bin",
        };
        var config = ConfigOverrides.FromEnvironment(env);
        config.GetInt("kvactors.remote.port").Should().Be(4053);
        config.GetInt("kvactors.actor.default-dispatcher.throughput").Should().Be(10);
        config.GetStringList("kvactors.cluster.seeds").Should().Equal("a:1", "b:2");
        config.GetTimeSpan("kvactors.remote.timeout").Should().Be(TimeSpan.FromMilliseconds(500));
        config.GetString("kvactors.name").Should().Be("quoted value");
        config.GetKeys().Should().Equal("kvactors");
        ConfigOverrides.PathToEnvironmentVariable("kvactors.actor.default-dispatcher.throughput")
            .Should().Be("KVACTORS__ACTOR__DEFAULT_DISPATCHER__THROUGHPUT");
    }

    [Fact]
    public void Bad_environment_value_names_the_variable()
    {
        var env = new Hashtable { ["KVACTORS__REMOTE__PORT"] = "[1, 2" };
        InvalidInputTests.Catch(() => ConfigOverrides.FromEnvironment(env))
            .Should().Be("KVACTORS__REMOTE__PORT:1:6: expected ']' to close the array opened at 1:1");
        var badName = new Hashtable { ["KVACTORS____X"] = "1" };
        InvalidInputTests.Catch(() => ConfigOverrides.FromEnvironment(badName))
            .Should().Be("environment variable KVACTORS____X: bad name (expected KVACTORS__SECTION__KEY)");
    }

    [Fact]
    public void Args_overrides_accept_both_forms_and_ignore_others()
    {
        var config = ConfigOverrides.FromArgs(new[]
        {
            "--verbose", "-Dkvactors.remote.port=4053", "seed", "--config-set", "kvactors.remote.host=node1",
            "--config-set=kvactors.cluster.roles=[a, b]", "-Dkvactors.remote.port=4054",
        });
        config.GetInt("kvactors.remote.port").Should().Be(4054);
        config.GetString("kvactors.remote.host").Should().Be("node1");
        config.GetStringList("kvactors.cluster.roles").Should().Equal("a", "b");
        config.GetKeys("kvactors").Should().Equal("remote", "cluster");
        ConfigOverrides.FromArgs(new[] { "run", "-v" }).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Bad_args_are_hocon_errors()
    {
        InvalidInputTests.Catch(() => ConfigOverrides.FromArgs(new[] { "-Dkvactors.port" }))
            .Should().Be("-Dkvactors.port: expected key=value");
        InvalidInputTests.Catch(() => ConfigOverrides.FromArgs(new[] { "--config-set" }))
            .Should().Be("--config-set needs key=value after it");
        InvalidInputTests.Catch(() => ConfigOverrides.FromArgs(new[] { "-Da..b=1" }))
            .Should().Be("-Da..b: bad key 'a..b'");
        InvalidInputTests.Catch(() => ConfigOverrides.FromArgs(new[] { "-Da=\"x" }))
            .Should().Be("-Da:1:1: unterminated string");
    }

    [Fact]
    public void Load_precedence_is_flags_over_env_over_file_over_reference()
    {
        var file = Path.Combine(Path.GetTempPath(), "kvactors-hocon-load-" + Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(file, "kvactors.test { a = file, b = file, c = file }");
        try
        {
            var env = new Hashtable { ["KVACTORS__TEST__A"] = "env", ["KVACTORS__TEST__B"] = "env" };
            var config = Config.Load(file, new[] { "-Dkvactors.test.a=flag" }, env);
            config.GetString("kvactors.test.a").Should().Be("flag");
            config.GetString("kvactors.test.b").Should().Be("env");
            config.GetString("kvactors.test.c").Should().Be("file");

            var noFile = Config.Load(null, Array.Empty<string>(), new Hashtable());
            noFile.GetKeys().Should().Equal(Config.Reference.GetKeys());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ToString_lists_leaves()
    {
        Config.Parse("a { b = 1, c = \"x y\" }\nl = [1, two]").ToString()
            .Should().Be("a.b = 1\na.c = \"x y\"\nl = [1, \"two\"]");
    }
}
