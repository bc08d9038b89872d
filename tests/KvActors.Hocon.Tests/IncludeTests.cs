using KvActors.Hocon;

namespace KvActors.Hocon.Tests;

public sealed class IncludeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kvactors-hocon-" + Guid.NewGuid().ToString("N"));

    public IncludeTests() => Directory.CreateDirectory(Path.Combine(_dir, "conf", "sub"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Include_is_relative_to_the_including_file()
    {
        Write("conf/sub/common.conf", "kvactors.remote { port = 2552, host = common }\ninclude \"leaf.conf\"");
        Write("conf/sub/leaf.conf", "leaf = yes");
        var main = Write("conf/main.conf", "include \"sub/common.conf\"\nkvactors.remote.port = 4053\nnested { include \"sub/leaf.conf\" }");

        var config = Config.ParseFile(main);

        config.GetInt("kvactors.remote.port").Should().Be(4053);
        config.GetString("kvactors.remote.host").Should().Be("common");
        config.GetBool("leaf").Should().BeTrue();
        config.GetBool("nested.leaf").Should().BeTrue();
    }

    [Fact]
    public void Included_values_feed_substitutions_and_errors_name_the_included_file()
    {
        Write("conf/base.conf", "base-port = 100\nbad = abc");
        var main = Write("conf/main.conf", "include \"base.conf\"\nport = ${base-port}");
        var config = Config.ParseFile(main);
        config.GetInt("port").Should().Be(100);
        InvalidInputTests.Catch(() => config.GetInt("bad"))
            .Should().Be($"{Path.Combine(Path.GetDirectoryName(main)!, "base.conf")}:2:7: bad: expected an integer, got 'abc'");
    }

    [Fact]
    public void Missing_include_names_the_file()
    {
        var main = Write("conf/main.conf", "a = 1\ninclude \"nope.conf\"");
        InvalidInputTests.Catch(() => Config.ParseFile(main))
            .Should().Be($"{main}:2:1: include file '{Path.Combine(_dir, "conf", "nope.conf")}' not found");
    }

    [Fact]
    public void Include_cycle_is_refused_naming_the_chain()
    {
        var a = Write("conf/a.conf", "include \"b.conf\"");
        var b = Write("conf/b.conf", "x = 1\ninclude \"a.conf\"");
        InvalidInputTests.Catch(() => Config.ParseFile(a))
            .Should().Be($"{b}:2:1: include cycle: {a} -> {b} -> {a}");
    }

    [Fact]
    public void Self_include_is_a_cycle()
    {
        var a = Write("conf/a.conf", "include required(\"a.conf\")");
        InvalidInputTests.Catch(() => Config.ParseFile(a)).Should().Be($"{a}:1:1: include cycle: {a} -> {a}");
    }

    [Fact]
    public void Missing_config_file_is_a_hocon_error()
    {
        var path = Path.Combine(_dir, "none.conf");
        InvalidInputTests.Catch(() => Config.ParseFile(path)).Should().Be($"config file '{path}' not found");
    }

    [Fact]
    public void Same_file_included_twice_is_not_a_cycle()
    {
        Write("conf/x.conf", "x = 1");
        var main = Write("conf/main.conf", "a { include \"x.conf\" }\nb { include \"x.conf\" }");
        var config = Config.ParseFile(main);
        (config.GetInt("a.x") + config.GetInt("b.x")).Should().Be(2);
    }
}
