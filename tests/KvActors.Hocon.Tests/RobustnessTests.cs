using System.Diagnostics;
using System.Text;
using KvActors.Hocon;
using Xunit.Abstractions;

namespace KvActors.Hocon.Tests;

/// <summary>Random and mutated inputs: Parse and the getters may only ever throw HoconException.</summary>
public class RobustnessTests
{
    private static readonly string[] Seeds =
    {
        "kvactors {\n  remote { port = 4053, host = \"localhost\" }\n  list = [a, b, ${x}]\n}\nx = 1\n",
        "a.b.c = 1\na { d = ${a.b.c} }\npath = /x\npath = ${path}\":/y\"\narr += 2\n",
        "s = \"\"\"raw\n\"\"\"\nd = 500ms\nz = 64KiB\n# c\n// c\nq = ${?NOPE} x y\n",
        "{ a = [ { b = 1 }, [2, 3] ], c : \"\\u0041\\n\" }",
        "include \"missing.conf\"\no { p = ${o.q}, q = 1 }\nr = ${o} { s = 2 }\n",
    };

    private const string Alphabet = "{}[]=:,+\"$?#/\\\n\t .ab1-${}\"\"\"";

    private readonly ITestOutputHelper _output;

    public RobustnessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Random_inputs_only_throw_HoconException()
    {
        // Fixed seed so the test is deterministic; set KVACTORS_FUZZ_SEED to explore other inputs.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_FUZZ_SEED"), out var s) ? s : 20240611;
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        var iterations = 0;
        string input = "";
        try
        {
            for (; iterations < 8000; iterations++)
            {
                input = iterations % 3 == 0 ? RandomText(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
                Exercise(input);
            }
        }
        catch (Exception e)
        {
            Assert.Fail($"seed {seed}, iteration {iterations}: {e.GetType().Name} for input {Escape(input)}\n{e}");
        }
        _output.WriteLine($"seed {seed}: {iterations} inputs in {watch.ElapsedMilliseconds} ms");
    }

    private static void Exercise(string input)
    {
        try
        {
            var config = Config.Parse(input, "fuzz.conf");
            _ = config.ToString();
            foreach (var path in new[] { "a", "a.b", "a.b.c", "kvactors.remote.port", "o", "x", "path", "d", "z", "arr", "s" })
            {
                Try(() => config.GetString(path));
                Try(() => config.GetInt(path));
                Try(() => config.GetLong(path, 0));
                Try(() => config.GetDouble(path));
                Try(() => config.GetBool(path, false));
                Try(() => config.GetTimeSpan(path));
                Try(() => config.GetBytes(path));
                Try(() => config.GetStringList(path));
                Try(() => config.GetConfig(path).GetKeys());
                Try(() => config.GetKeys(path));
                Try(() => config.HasPath(path));
            }
        }
        catch (HoconException)
        {
        }
    }

    private static void Try(Func<object> getter)
    {
        try
        {
            getter();
        }
        catch (HoconException)
        {
        }
    }

    private static string RandomText(Random random)
    {
        var sb = new StringBuilder();
        var length = random.Next(0, 60);
        for (var i = 0; i < length; i++)
            sb.Append(random.Next(10) == 0 ? (char)random.Next(0, 0x3000) : Alphabet[random.Next(Alphabet.Length)]);
        return sb.ToString();
    }

    private static string Mutate(Random random, string text)
    {
        var chars = new StringBuilder(text);
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = chars.Length == 0 ? 0 : random.Next(chars.Length);
            switch (random.Next(4))
            {
                case 0 when chars.Length > 0: chars.Remove(at, 1); break;
                case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                case 2 when chars.Length > 0: chars[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                default:
                    // Splice in a chunk of another seed.
                    var other = Seeds[random.Next(Seeds.Length)];
                    var from = random.Next(other.Length);
                    chars.Insert(at, other.AsSpan(from, Math.Min(other.Length - from, random.Next(1, 30))).ToString());
                    break;
            }
        }
        return chars.ToString();
    }

    private static string Escape(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var deep = new string('[', 100_000);
        InvalidInputTests.Catch(() => Config.Parse("a = " + deep, "d.conf")).Should().StartWith("d.conf:1:");
        var chain = string.Join("\n", Enumerable.Range(0, 5000).Select(i => $"k{i} = ${{k{i + 1}}}")) + "\nk5000 = end";
        InvalidInputTests.Catch(() => Config.Parse(chain, "c.conf")).Should().Contain("nested deeper");
    }
}
