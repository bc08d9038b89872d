using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// One real kvnode process on a loopback port with a temporary data directory. Every output line
/// is kept with the Stopwatch timestamp of its arrival, so the benchmark can line the nodes' log
/// up with its own events. Every started process is killed on every exit path (Dispose, and
/// ProcessExit / Ctrl+C for all still alive).
/// </summary>
public sealed class KvNodeProcess : IDisposable
{
    private static readonly ConcurrentDictionary<KvNodeProcess, bool> Live = new();
    private readonly Process _process;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static KvNodeProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private KvNodeProcess(int port, int seedPort)
    {
        Port = port;
        DataDir = Path.Combine(Path.GetTempPath(), $"kv-cbench-{Environment.ProcessId}-{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Locate.NodeDll, "--port", port.ToString(), "--name", $"n{port}", "--seeds", $"127.0.0.1:{seedPort}", "--data-dir", DataDir })
            start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!_process.Start()) throw new InvalidOperationException("could not start kvnode");
        Live[this] = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }
    public string DataDir { get; }
    public string HostPort => $"127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;

    /// <summary>(Stopwatch timestamp of arrival, line).</summary>
    public ConcurrentQueue<(long At, string Line)> Lines { get; } = new();

    /// <summary>Starts kvnode on a free port, joining through <paramref name="seedPort"/> (itself for the seed); waits until it is up.</summary>
    public static KvNodeProcess Start(int? port = null, int? seedPort = null, TimeSpan? timeout = null)
    {
        var p = port ?? FreePort();
        var node = new KvNodeProcess(p, seedPort ?? p);
        if (!node._up.Task.Wait(timeout ?? TimeSpan.FromSeconds(60)))
        {
            node.Dispose();
            throw new InvalidOperationException($"kvnode on port {p} did not say it was up; its output: {string.Join(" | ", node.Lines.Select(l => l.Line).TakeLast(10))}");
        }
        return node;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        Lines.Enqueue((Stopwatch.GetTimestamp(), line));
        if (line.Contains(" is up at ", StringComparison.Ordinal)) _up.TrySetResult();
    }

    /// <summary>SIGKILL (Process.Kill sends SIGKILL on Unix): no leave, no cleanup, like a crash.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Kill();
        try { _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        Live.TryRemove(this, out _);
        _process.Dispose();
        try { if (Directory.Exists(DataDir)) Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
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

/// <summary>The built kvnode.dll and kv.dll, found relative to this benchmark's own output directory (as the TestKit does).</summary>
public static class Locate
{
    public static string NodeDll => Source("KvActors.Node", "kvnode");
    public static string KvDll => Source("KvActors.Cli", "kv");

    private static string Source(string projectName, string assemblyName)
    {
        // tests/KvActors.Benchmarks/bin/<Configuration>/<tfm>/ -> the repository root is five levels up.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var root = tfmDir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", projectName, "bin", configuration, tfmDir.Name, assemblyName + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"{projectName} was not built to {path}: run ./build.sh bench again (it builds it).", path);
        return path;
    }
}
