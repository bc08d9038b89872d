using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace KvActors.TestKit.Processes;

/// <summary>How to start one kvnode for a test.</summary>
public sealed record NodeOptions
{
    /// <summary>--name, shown in every log line and in failure messages.</summary>
    public string Name { get; init; } = "node";

    /// <summary>--port; 0 (the default) lets the node bind a free port, read back from its "is up" line.</summary>
    public int Port { get; init; }

    /// <summary>--seeds host:port,...; empty = the node forms a cluster of its own.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>--cert FILE: mutual TLS with that cluster certificate.</summary>
    public string? Certificate { get; init; }

    /// <summary>
    /// kvactors.store.partitions. Test nodes default to 32, not the product's 256: every partition's actor ticks and
    /// heartbeats its replicas, and three 256-partition nodes plus the other test processes are more than a loaded 2-core
    /// machine can run without missing cluster heartbeats. Every node of one cluster must use the same number.
    /// </summary>
    public int Partitions { get; init; } = 32;

    /// <summary>More flags (-Dkey=value, --host...).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>--data-dir; null (the default) = a fresh temporary directory, removed when the node is disposed.</summary>
    public string? DataDir { get; init; }

    /// <summary>How long the node may take to say it is up; null = <see cref="NodeProcess.StartDeadline"/>.</summary>
    public TimeSpan? StartDeadline { get; init; }
}

/// <summary>
/// One kvnode process with a data directory of its own, bound to a port it chose (--port 0). Start
/// returns once the node says it is up, with its address; Dispose kills it and removes its data
/// (unless the directory was given, or handed on to a <see cref="Restart"/>).
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private static readonly Regex UpLine = new(@" is up at (?<scheme>akka(\.ssl)?\.tcp)://[^@]+@(?<host>[^:/\s]+):(?<port>\d+)", RegexOptions.CultureInvariant);

    private bool _ownsDataDir;

    private NodeProcess(TestHostProcess process, NodeOptions options, string dataDir, bool ownsDataDir)
    {
        Process = process;
        Options = options;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
    }

    public TestHostProcess Process { get; }

    public NodeOptions Options { get; }

    public string Name => Options.Name;

    public string DataDir { get; }

    /// <summary>The port it listens on, known once it is up.</summary>
    public int Port { get; private set; }

    public string Host { get; private set; } = "127.0.0.1";

    /// <summary>host:port, as `kv --seeds` and `kv cluster show` write it.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>How long a node may take to start on a loaded machine.</summary>
    public static TimeSpan StartDeadline => TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    /// <summary>Starts a node and waits until it logs that it is up (fails, showing its output, if it exits or stays silent).</summary>
    public static NodeProcess Start(NodeOptions options) => Start(options, options.DataDir is null);

    private static NodeProcess Start(NodeOptions options, bool ownsDataDir)
    {
        var dataDir = options.DataDir ?? Path.Combine(Path.GetTempPath(), "kvactors-tests", $"{options.Name}-{Guid.NewGuid():N}");
        List<string> args = ["--port", options.Port.ToString(CultureInfo.InvariantCulture), "--name", options.Name, "--data-dir", dataDir];
        if (options.Seeds.Count > 0) args.AddRange(["--seeds", string.Join(',', options.Seeds)]);
        if (options.Certificate is not null) args.AddRange(["--cert", options.Certificate]);
        args.Add($"-Dkvactors.store.partitions={options.Partitions}");
        args.AddRange(options.Arguments);
        var node = new NodeProcess(TestHostProcess.Start(Executables.NodeDll, args, options.Environment, $"kvnode {options.Name}"), options, dataDir, ownsDataDir);
        try
        {
            var up = node.Process.WaitForLine(l => UpLine.IsMatch(l), options.StartDeadline ?? StartDeadline, "saying it is up");
            var match = UpLine.Match(up);
            node.Host = match.Groups["host"].Value;
            node.Port = int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture);
        }
        catch
        {
            node.Dispose();
            throw;
        }
        return node;
    }

    public static NodeProcess Start(string name, params string[] seeds) => Start(new NodeOptions { Name = name, Seeds = seeds });

    /// <summary>
    /// The same node started again after it was killed: same name, port and data directory (which the new process
    /// now owns), with <paramref name="seeds"/> when given (a node that formed the cluster must now join it).
    /// </summary>
    public NodeProcess Restart(IReadOnlyList<string>? seeds = null)
    {
        if (!HasExited) throw Failure($"{this} must be killed before it is restarted.");
        var again = Start(Options with { Port = Port, DataDir = DataDir, Seeds = seeds ?? Options.Seeds }, _ownsDataDir);
        _ownsDataDir = false;
        return again;
    }

    public bool HasExited => Process.HasExited;

    /// <summary>SIGKILL: a crash, no leave.</summary>
    public void Kill() => Process.Kill();

    /// <summary>SIGSTOP: frozen, as by a long GC pause or a stalled VM; it neither answers nor heartbeats.</summary>
    public void Freeze() => Process.Signal("STOP");

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => Process.Signal("CONT");

    /// <summary>SIGTERM: the graceful shutdown an init system asks for.</summary>
    public void Terminate() => Process.Signal("TERM");

    public int WaitForExit(TimeSpan timeout) => Process.WaitForExit(timeout);

    public string WaitForLogLine(string text, TimeSpan? timeout = null) => Process.WaitForLineContaining(text, timeout);

    public XunitException Failure(string message) => Process.Failure(message);

    public override string ToString() => $"{Name} at {Address}";

    public void Dispose()
    {
        Process.Dispose();
        if (!_ownsDataDir)
            return;
        try
        {
            if (Directory.Exists(DataDir)) Directory.Delete(DataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover temp directory is not worth failing a test for
        }
    }
}

/// <summary>Several processes disposed together, in reverse order of start, even when one Dispose fails.</summary>
public sealed class ProcessGroup : IDisposable
{
    private readonly List<IDisposable> _members = [];

    public T Add<T>(T member) where T : IDisposable
    {
        lock (_members) _members.Add(member);
        return member;
    }

    public NodeProcess StartNode(NodeOptions options) => Add(NodeProcess.Start(options));

    public void Dispose()
    {
        List<IDisposable> members;
        lock (_members) members = [.. _members];
        var errors = new List<Exception>();
        for (var i = members.Count - 1; i >= 0; i--)
        {
            try { members[i].Dispose(); }
            catch (Exception e) { errors.Add(e); }
        }
        if (errors.Count > 0) throw new AggregateException(errors);
    }
}
