using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// One real kvnode process on a loopback port: `kvnode --host 127.0.0.1 --port P --seeds ...
/// --name NAME --data-dir DIR [settings]` with the reference.conf defaults under the given settings. Every output line is kept with
/// the Stopwatch timestamp of its arrival. Every started process is killed on every exit path
/// (Dispose, and ProcessExit / Ctrl+C for all still alive).
/// </summary>
public sealed class KvNodeProcess : IDisposable
{
    private const int MaxLines = 20_000;
    private static readonly ConcurrentDictionary<KvNodeProcess, bool> Live = new();
    private readonly Process _process;

    static KvNodeProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private KvNodeProcess(string name, int port, IReadOnlyList<int> seedPorts, string dataDir, IReadOnlyList<string> settings)
    {
        Name = name;
        Port = port;
        SeedPorts = seedPorts;
        DataDir = dataDir;
        Settings = settings;
        var (file, prefix) = Locate.KvNode;
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix) start.ArgumentList.Add(a);
        foreach (var a in new[]
        {
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--seeds", string.Join(",", seedPorts.Select(p => $"127.0.0.1:{p}")),
            "--name", name, "--data-dir", dataDir,
        }.Concat(settings))
            start.ArgumentList.Add(a);
        CommandLine = string.Join(' ', start.ArgumentList.Prepend(file).Select(a => a.Contains(' ') ? $"'{a}'" : a));
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!_process.Start()) throw new InvalidOperationException($"could not start {file}");
        Live[this] = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Port { get; }
    public IReadOnlyList<int> SeedPorts { get; }
    public string DataDir { get; }

    /// <summary>Flags after the standard ones, e.g. "-Dkvactors.store.replication-factor=1".</summary>
    public IReadOnlyList<string> Settings { get; }

    /// <summary>The command line it was started with, for the benchmark's report.</summary>
    public string CommandLine { get; }
    public string HostPort => $"127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>(Stopwatch timestamp of arrival, line).</summary>
    public ConcurrentQueue<(long At, string Line)> Lines { get; } = new();

    public string LastLines(int n = 10) => string.Join(" | ", Lines.Select(l => l.Line).TakeLast(n));

    /// <summary>Starts kvnode; it joins through <paramref name="seedPorts"/>. Returns at once: wait for it through an observer.</summary>
    public static KvNodeProcess Start(string name, int port, IReadOnlyList<int> seedPorts, string dataDir, IReadOnlyList<string>? settings = null) =>
        new(name, port, seedPorts, dataDir, settings ?? []);

    /// <summary>The same node again (name, port, seeds, data directory, settings): a restart after a crash.</summary>
    public KvNodeProcess Restart() => new(Name, Port, SeedPorts, DataDir, Settings);

    private void OnLine(string? line)
    {
        if (line is null) return;
        Lines.Enqueue((Stopwatch.GetTimestamp(), line));
        while (Lines.Count > MaxLines) Lines.TryDequeue(out _);
    }

    /// <summary>SIGKILL (Process.Kill sends SIGKILL on Unix): no leave, no cleanup, like a crash.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        Kill();
        try { _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        Live.TryRemove(this, out _);
        _process.Dispose();
    }

    private static void KillAll()
    {
        foreach (var node in Live.Keys) node.Kill();
    }

    /// <summary>A loopback port nothing listens on right now (bound to 0, then released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// The kvnode to run: the one `./build.sh bench` just built (src/KvActors.Node/bin/CONFIGURATION/TFM/kvnode.dll,
/// found relative to this benchmark's own output directory), else the published artifacts/bin/kvnode.
/// </summary>
public static class Locate
{
    private static string DotnetHost =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? p : "dotnet";

    public static (string File, string[] Prefix) KvNode
    {
        get
        {
            // KVACTORS_BENCH_KVNODE=path/kvnode.dll: another build (e.g. before a change, to alternate old and new runs).
            if (Environment.GetEnvironmentVariable("KVACTORS_BENCH_KVNODE") is { Length: > 0 } other)
                return File.Exists(other) ? (DotnetHost, [other]) : throw new FileNotFoundException($"KVACTORS_BENCH_KVNODE names {other}, which does not exist.", other);
            // tests/KvActors.Benchmarks/bin/<Configuration>/<tfm>/ -> the repository root is five levels up.
            var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfmDir.Parent!.Name;
            var root = tfmDir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            var built = Path.Combine(root, "src", "KvActors.Node", "bin", configuration, tfmDir.Name, "kvnode.dll");
            if (File.Exists(built)) return (DotnetHost, [built]);
            var published = Path.Combine(root, "artifacts", "bin", OperatingSystem.IsWindows() ? "kvnode.exe" : "kvnode");
            if (File.Exists(published)) return (published, []);
            throw new FileNotFoundException($"kvnode is not built: neither {built} nor {published} exists; run ./build.sh bench again (it builds kvnode) or ./build.sh.", built);
        }
    }
}
