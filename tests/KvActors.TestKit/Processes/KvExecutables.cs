using System.Text.Json;
using Xunit.Sdk;

namespace KvActors.TestKit.Processes;

/// <summary>The built kvnode and kv, run to completion as an operator's shell would run them.</summary>
public static class Executables
{
    public static string NodeDll => TestHostProcess.LocateSource("KvActors.Node", "kvnode");
    public static string KvDll => TestHostProcess.LocateSource("KvActors.Cli", "kv");

    /// <summary>How long a one-shot command may take before the test fails (start-up of a .NET process included).</summary>
    public static TimeSpan RunDeadline => TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    /// <summary>Runs kv to completion (stdin closed at once, so a REPL sees end of input).</summary>
    public static RunResult Kv(params string[] args) => Run(KvDll, args);

    public static RunResult RunNode(params string[] args) => Run(NodeDll, args);

    /// <summary>
    /// Runs a dll to completion within <paramref name="deadline"/> (killed and failed beyond it),
    /// with <paramref name="input"/> on stdin, capturing stdout and stderr.
    /// </summary>
    public static RunResult Run(string dll, IEnumerable<string> args, TimeSpan? deadline = null, string input = "",
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var max = deadline ?? RunDeadline;
        using var process = TestHostProcess.Start(dll, args, environment);
        process.CloseInput(input);
        var exitCode = process.WaitForExit(max);
        return new RunResult(exitCode, process.Stdout, process.Stderr, process.Elapsed, process.Name);
    }

    /// <summary>`kv cluster show --json` against <paramref name="seed"/>: the view, or a test failure showing what kv said.</summary>
    public static ClusterView ShowCluster(string seed, string? certificate = null, string timeout = "5s")
    {
        var run = Kv(ShowArgs(seed, certificate, timeout));
        if (run.ExitCode != 0) throw new XunitException($"kv cluster show --seeds {seed} failed: {run}");
        return ClusterView.Parse(run.Stdout);
    }

    /// <summary>The view, or null when kv could not get one (no node answered): for polling a cluster whose members come and go.</summary>
    public static ClusterView? TryShowCluster(string seed, string? certificate = null, string timeout = "5s")
    {
        var run = Kv(ShowArgs(seed, certificate, timeout));
        return run.ExitCode == 0 ? ClusterView.Parse(run.Stdout) : null;
    }

    private static string[] ShowArgs(string seed, string? certificate, string timeout) =>
        certificate is null
            ? ["cluster", "show", "--json", "--seeds", seed, "--timeout", timeout]
            : ["cluster", "show", "--json", "--seeds", seed, "--timeout", timeout, "--cert", certificate];
}

/// <summary>What a process run to completion did.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, string Command = "")
{
    /// <summary>Stdout split into lines (no trailing empty line).</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            var lines = Stdout.Split('\n');
            return lines[^1].Length == 0 ? lines[..^1] : lines;
        }
    }

    /// <summary>
    /// Asserts stderr is exactly one plain sentence (one line ending with '.' or '?', no stack
    /// trace, no exception or .NET type name) and returns it.
    /// </summary>
    public string OneSentenceError()
    {
        var text = Stderr.Trim();
        if (text.Length == 0) throw new XunitException($"An error must be reported on stderr, and nothing was. {this}");
        if (text.Contains('\n')) throw new XunitException($"Errors are one line: {this}");
        if (Sentences.HasDotNetNoise(text)) throw new XunitException($"No stack trace, exception or .NET type name in an error: {this}");
        if (!text.EndsWith('.') && !text.EndsWith('?')) throw new XunitException($"An error is a sentence ending with a full stop: {this}");
        return text;
    }

    public override string ToString() => $"{Command}: exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Checks on user-facing messages.</summary>
public static class Sentences
{
    private static readonly string[] Noise = ["System.", "Exception", "   at ", "`1", "Akka.", "Nullable", "--- End of"];

    /// <summary>True when <paramref name="text"/> shows .NET internals: a type name, an exception name or a stack frame.</summary>
    public static bool HasDotNetNoise(string text) => Noise.Any(n => text.Contains(n, StringComparison.Ordinal));
}

/// <summary>`kv cluster show --json`, parsed: one node's view of the cluster.</summary>
public sealed record ClusterView(string Self, string? Leader, string? SingletonHost, IReadOnlyList<MemberRow> Members)
{
    public static ClusterView Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var members = root.GetProperty("members").EnumerateArray().Select(m => new MemberRow(
                m.GetProperty("address").GetString()!,
                m.GetProperty("status").GetString()!,
                m.GetProperty("reachable").GetBoolean(),
                m.GetProperty("upNumber").GetInt32(),
                m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList(),
                m.GetProperty("leader").GetBoolean())).ToList();
            return new ClusterView(root.GetProperty("self").GetString()!, root.GetProperty("leader").GetString(),
                root.GetProperty("singletonHost").GetString(), members);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new XunitException($"`kv cluster show --json` printed something that is not its JSON ({e.Message}): {json}");
        }
    }

    public MemberRow? Member(string address) => Members.FirstOrDefault(m => m.Address == address);

    public IReadOnlyList<string> Addresses => [.. Members.Select(m => m.Address).Order(StringComparer.Ordinal)];

    /// <summary>Exactly these members, every one Up and reachable.</summary>
    public bool IsUpWith(params string[] addresses) =>
        Addresses.SequenceEqual(addresses.Order(StringComparer.Ordinal)) && Members.All(m => m is { Status: "Up", Reachable: true });

    public override string ToString() =>
        $"seen by {Self} (leader {Leader ?? "none"}): " + string.Join(", ", Members.Select(m => $"{m.Address} {m.Status}{(m.Reachable ? "" : " UNREACHABLE")}"));
}

public sealed record MemberRow(string Address, string Status, bool Reachable, int UpNumber, IReadOnlyList<string> Roles, bool Leader);
