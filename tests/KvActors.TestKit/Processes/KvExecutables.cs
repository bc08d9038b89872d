using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KvActors.TestKit;
using Xunit.Sdk;

namespace KvActors.TestKit.Processes;

/// <summary>The built kvnode and kv, run as processes; a free port; one-shot runs with a deadline.</summary>
public static class Executables
{
    public static string NodeDll => TestHostProcess.LocateSource("KvActors.Node", "kvnode");
    public static string KvDll => TestHostProcess.LocateSource("KvActors.Cli", "kv");

    /// <summary>A port nothing listens on right now (bound to 0, then released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts kvnode on a free loopback port and waits until it says it is up.</summary>
    public static (TestHostProcess Process, int Port) StartNode(params string[] extraArgs)
    {
        var port = FreePort();
        var node = TestHostProcess.StartDll(NodeDll, ["--port", port.ToString(), "--name", $"test-{port}", .. extraArgs]);
        try
        {
            node.ExpectLineContaining(" is up at ", TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        }
        catch
        {
            node.Dispose();
            throw;
        }
        return (node, port);
    }

    /// <summary>Runs kv to completion.</summary>
    public static RunResult Kv(params string[] args) => Run(KvDll, args);

    public static RunResult RunNode(params string[] args) => Run(NodeDll, args);

    /// <summary>Runs a dll to completion within a deadline (killed and failed beyond it), capturing everything.</summary>
    public static RunResult Run(string dll, string[] args, TimeSpan? deadline = null)
    {
        var max = deadline ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(20));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new XunitException($"Could not start {dll}.");
        process.StandardInput.Close(); // a REPL reading stdin sees end of input, never hangs
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(max))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"{Path.GetFileName(dll)} {string.Join(' ', args)} did not exit within {max.TotalSeconds} s.");
        }
        process.WaitForExit();
        return new RunResult(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }
}

public sealed record RunResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Asserts stderr is exactly one plain sentence (no stack trace, no help dump) and returns it.</summary>
    public string OneSentenceError()
    {
        var text = Stderr.Trim();
        if (text.Length == 0) throw new XunitException("An error must be reported on stderr, and nothing was.");
        if (text.Contains('\n')) throw new XunitException($"Errors are one line: {text}");
        if (text.Contains("Exception", StringComparison.Ordinal)) throw new XunitException($"No stack trace or exception dump: {text}");
        if (!text.EndsWith('.')) throw new XunitException($"An error is a sentence ending with a full stop: {text}");
        return text;
    }

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
