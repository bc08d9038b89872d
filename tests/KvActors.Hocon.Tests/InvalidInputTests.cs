using KvActors.Hocon;

namespace KvActors.Hocon.Tests;

/// <summary>Invalid inputs and the exact message of the HoconException they give.</summary>
public class InvalidInputTests
{
    public static TheoryData<string, string> ParseErrors => new()
    {
        { "a {\n  b = 1\n", "x.conf:3:1: expected '}' to close the object opened at 1:3" },
        { "a = [1, 2", "x.conf:1:10: expected ']' to close the array opened at 1:5" },
        { "a = 1\nb = \"abc", "x.conf:2:5: unterminated string" },
        { "a = \"\"\"abc", "x.conf:1:5: unterminated string" },
        { "a = \"bad \\q\"", "x.conf:1:10: bad escape sequence '\\q' in string" },
        { "a..b = 1", "x.conf:1:1: bad key 'a..b': empty path segment" },
        { ".a = 1", "x.conf:1:1: bad key '.a': empty path segment" },
        { "a = 1 }", "x.conf:1:7: expected a newline or ',' after the value of 'a', got '}'" },
        { "= 1", "x.conf:1:1: expected a key, got '='" },
        { "a 1", "x.conf:1:4: expected '=', ':' or '{' after key 'a 1', got end of input" },
        { "a =\nb = 1", "x.conf:1:4: expected a value for 'a', got newline" },
        { "a = @x", "x.conf:1:5: unexpected character '@'" },
        { "a = ${b", "x.conf:1:5: unterminated substitution" },
        { "a = ${b..c}", "x.conf:1:5: bad path in substitution '${b..c}'" },
        { "a = ${b.c}", "x.conf:1:5: unresolved substitution ${b.c}" },
        { "a = ${b}\nb = ${a}", "x.conf:2:5: substitution cycle: a -> b -> a" },
        { "a = ${a}", "x.conf:1:5: unresolved substitution ${a} (the key has no earlier value)" },
        { "a = [1]\nb = ${a} x", "x.conf:2:5: cannot concatenate a list with a string" },
        { "a = 1,, b = 2", "x.conf:1:7: expected a key, got ','" },
        { "{ a = 1 } b", "x.conf:1:11: unexpected 'b' after the closing '}' of the root object" },
        { "include \"does-not-exist.conf\"", "x.conf:1:1: include file 'does-not-exist.conf' not found" },
        { "a = [1 2] x = 3", "x.conf:1:13: expected a newline or ',' after the value of 'a', got '='" },
        { "a { x = 1 }\nb = ${a} x", "x.conf:2:5: cannot concatenate an object with a string" },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public void Parse_fails_with_exact_message(string input, string expected)
    {
        var act = () => Config.Parse(input, "x.conf");
        act.Should().Throw<HoconException>().Which.Message.Should().Be(expected);
    }

    public static TheoryData<string, string, string> GetErrors => new()
    {
        { "kvactors {\n  remote {\n    port = abc\n  }\n}", "kvactors.remote.port", "x.conf:3:12: kvactors.remote.port: expected an integer, got 'abc'" },
        { "d = 5 parsecs", "d", "x.conf:1:5: d: expected a duration (e.g. 500ms, 2s, 1m), got '5 parsecs'" },
        { "s = 12 quarks", "s", "x.conf:1:5: s: expected a size in bytes (e.g. 512KiB, 4MiB, 1GB), got '12 quarks'" },
        { "b = maybe", "b", "x.conf:1:5: b: expected a boolean (true/false, on/off, yes/no), got 'maybe'" },
        { "o { x = 1 }", "o", "x.conf:1:3: o: expected a string, got an object" },
        { "n = null", "n", "x.conf:1:5: n: expected a string, got null" },
        { "a = 1", "b.c", "missing configuration key 'b.c'" },
    };

    [Theory]
    [MemberData(nameof(GetErrors))]
    public void Getter_fails_with_exact_message(string input, string path, string expected)
    {
        var config = Config.Parse(input, "x.conf");
        var message = Catch(() => path switch
        {
            "kvactors.remote.port" => config.GetInt(path),
            "d" => config.GetTimeSpan(path),
            "s" => config.GetBytes(path),
            "b" => config.GetBool(path),
            _ => (object)config.GetString(path),
        });
        message.Should().Be(expected);
    }

    [Fact]
    public void Exception_exposes_position()
    {
        var e = Assert.Throws<HoconException>(() => Config.Parse("a {\n  b = \"x", "f.conf"));
        (e.File, e.Line, e.Column, e.Reason).Should().Be(("f.conf", 2, 7, "unterminated string"));
    }

    [Fact]
    public void List_item_of_wrong_type_names_index()
    {
        Catch(() => Config.Parse("l = [a, {x = 1}]", "x.conf").GetStringList("l"))
            .Should().Be("x.conf:1:9: l[1]: expected a string, got an object");
    }

    [Fact]
    public void Int_out_of_range_is_wrong_type()
    {
        Catch(() => Config.Parse("i = 99999999999", "x.conf").GetInt("i"))
            .Should().Be("x.conf:1:5: i: expected an integer, got '99999999999'");
    }

    internal static string Catch(Func<object> f)
    {
        try
        {
            f();
        }
        catch (HoconException e)
        {
            return e.Message;
        }
        return "<no exception>";
    }
}
