using KvActors.Hocon;

namespace KvActors.Hocon.Tests;

/// <summary>Valid inputs and the string value of one key (lists joined with '|').</summary>
public class ValidInputTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // objects, keys, separators
        { "a = 1", "a", "1" },
        { "a : 1", "a", "1" },
        { "a { b = 1 }", "a.b", "1" },
        { "a = { b = 1 }", "a.b", "1" },
        { "{ a = 1 }", "a", "1" },
        { "a.b.c = 1", "a.b.c", "1" },
        { "\"a.b\" = 1", "\"a.b\"", "1" },
        { "a.\"b.c\".d = 1", "a.\"b.c\".d", "1" },
        { "a = 1, b = 2", "b", "2" },
        { "a { b = 1, c = 2, }", "a.c", "2" },
        { "a {\n  b {\n    c = deep\n  }\n}", "a.b.c", "deep" },
        // comments
        { "# comment\na = 1 # trailing", "a", "1" },
        { "// comment\na = 1 // trailing", "a", "1" },
        // strings
        { "a = \"quoted # not a comment\"", "a", "quoted # not a comment" },
        { "a = \"tab\\tnew\\nq\\\"u\\u0041\"", "a", "tab\tnew\nq\"uA" },
        { "a = hello world", "a", "hello world" },
        { "a = hello   big  world  ", "a", "hello   big  world" },
        { "a = \"x\" y \"z\"", "a", "x y z" },
        { "a = \"\"\"raw \"quotes\" \\n\nline\"\"\"", "a", "raw \"quotes\" \\n\nline" },
        { "a = \"\"\"x\"\"\"\"", "a", "x\"" },
        { "a = 127.0.0.1", "a", "127.0.0.1" },
        { "a = foo/bar-baz_1", "a", "foo/bar-baz_1" },
        { "a = null, a = x", "a", "x" },
        // arrays
        { "a = [1, 2, 3]", "a", "1|2|3" },
        { "a = [\n  x\n  y,\n  z,\n]", "a", "x|y|z" },
        { "a = []", "a", "" },
        { "a = [1, 2] [3]", "a", "1|2|3" },
        { "a = [1], a += 2", "a", "1|2" },
        { "a += x", "a", "x" },
        { "a { l = [1] }\na { l += 2 }", "a.l", "1|2" },
        { "a = 1\na = ${?nope}\na { y = 2 }", "a.y", "2" },
        { "a { x = 1 }\na = ${?nope}", "a.x", "1" },
        // merging
        { "a { x = 1 }\na { y = 2 }", "a.x", "1" },
        { "a { x = 1 }\na { y = 2 }", "a.y", "2" },
        { "a { x = 1 }\na = 5", "a", "5" },
        { "a = 5\na { x = 1 }", "a.x", "1" },
        { "a { x = 1 }\na.x = 2", "a.x", "2" },
        // substitutions
        { "a = 1\nb = ${a}", "b", "1" },
        { "b = ${a}\na = 1", "b", "1" },
        { "a { x = 1 }\nb = ${a.x}", "b", "1" },
        { "a = foo\nb = ${a}bar", "b", "foobar" },
        { "a = foo\nb = ${a} bar", "b", "foo bar" },
        { "path = /bin\npath = ${path}\":/x\"", "path", "/bin:/x" },
        { "a = 1\na = ${?kvactors_test_surely_unset_var}", "a", "1" },
        { "b = x ${?nope}", "b", "x" },
        { "a = [1]\nb = ${a} [2]", "b", "1|2" },
        { "a { x = 1 }\nb = ${a} { y = 2 }", "b.x", "1" },
        { "a { x = 1 }\na = ${a} { y = 2 }", "a.y", "2" },
        { "a { x = 1 }\nb { y = 2 }\nb = ${a}", "b.y", "2" },
        { "c = ${a.b}\na { b = ${d} }\nd = deep", "c", "deep" },
        { "a = [${x}, 2]\nx = 1", "a", "1|2" },
        { "a = \"${not.a.substitution}\"", "a", "${not.a.substitution}" },
        // booleans, numbers kept as text
        { "a = on", "a", "on" },
        { "a = -1.5e3", "a", "-1.5e3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses(string input, string path, string expected)
    {
        var config = Config.Parse(input, "t.conf");
        var actual = TryList(config, path) ?? config.GetString(path);
        actual.Should().Be(expected);
    }

    private static string? TryList(Config config, string path)
    {
        try
        {
            return string.Join("|", config.GetStringList(path));
        }
        catch (HoconException)
        {
            return null;
        }
    }

    [Fact]
    public void Optional_substitution_of_undefined_leaves_key_unset()
    {
        Config.Parse("a = ${?kvactors_test_surely_unset_var}").HasPath("a").Should().BeFalse();
    }

    [Fact]
    public void Substitution_falls_back_to_environment()
    {
        const string name = "KVACTORS_HOCON_TEST_VAR_5b1f";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            Config.Parse($"a = ${{?{name}}}\nb = ${{{name}}}").GetString("b").Should().Be("from-env");
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    public static TheoryData<string, TimeSpan> Durations => new()
    {
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "2s", TimeSpan.FromSeconds(2) },
        { "1m", TimeSpan.FromMinutes(1) },
        { "1h", TimeSpan.FromHours(1) },
        { "1d", TimeSpan.FromDays(1) },
        { "500 milliseconds", TimeSpan.FromMilliseconds(500) },
        { "2 seconds", TimeSpan.FromSeconds(2) },
        { "1 minute", TimeSpan.FromMinutes(1) },
        { "1.5s", TimeSpan.FromMilliseconds(1500) },
        { "250", TimeSpan.FromMilliseconds(250) },
        { "100us", TimeSpan.FromTicks(1000) },
        { "\"3 hours\"", TimeSpan.FromHours(3) },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void Durations_parse(string text, TimeSpan expected) =>
        Config.Parse("d = " + text).GetTimeSpan("d").Should().Be(expected);

    public static TheoryData<string, long> Sizes => new()
    {
        { "64KiB", 64L * 1024 },
        { "4MiB", 4L * 1024 * 1024 },
        { "1GiB", 1024L * 1024 * 1024 },
        { "512k", 512L * 1024 },
        { "4M", 4L * 1024 * 1024 },
        { "100B", 100 },
        { "100", 100 },
        { "10kB", 10_000 },
        { "2MB", 2_000_000 },
        { "1GB", 1_000_000_000 },
        { "1.5KiB", 1536 },
        { "3 bytes", 3 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sizes_parse(string text, long expected) =>
        Config.Parse("s = " + text).GetBytes("s").Should().Be(expected);

    [Theory]
    [InlineData("on", true)]
    [InlineData("off", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    public void Booleans_parse(string text, bool expected) =>
        Config.Parse("b = " + text).GetBool("b").Should().Be(expected);

    [Fact]
    public void Typed_getters_and_defaults()
    {
        var c = Config.Parse("i = 42\nl = 9000000000\nd = 2.5\nn = null\nlist = [a, \"b c\"]\no { x = 1, y = 2 }");
        c.GetInt("i").Should().Be(42);
        c.GetLong("l").Should().Be(9_000_000_000);
        c.GetDouble("d").Should().Be(2.5);
        c.GetInt("missing", 7).Should().Be(7);
        c.GetString("n", "dflt").Should().Be("dflt");
        c.HasPath("n").Should().BeFalse();
        c.HasPath("i").Should().BeTrue();
        c.GetStringList("list").Should().Equal("a", "b c");
        c.GetKeys().Should().Equal("i", "l", "d", "n", "list", "o");
        c.GetKeys("o").Should().Equal("x", "y");
        c.GetConfig("o").GetInt("y").Should().Be(2);
        c.GetTimeSpan("missing", TimeSpan.FromSeconds(3)).Should().Be(TimeSpan.FromSeconds(3));
        c.GetBytes("missing", 5).Should().Be(5);
        c.GetBool("missing", true).Should().BeTrue();
        Config.Empty.IsEmpty.Should().BeTrue();
        c.IsEmpty.Should().BeFalse();
    }

    [Fact]
    public void Reference_parses()
    {
        var reference = Config.Reference;
        reference.Should().BeSameAs(Config.Reference);
        reference.ToString().Should().NotBeNull();
    }
}
