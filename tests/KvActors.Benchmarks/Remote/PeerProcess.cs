using System.Diagnostics;
using System.Reflection;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// The benchmark re-launched as the peer (`dotnet KvActors.Benchmarks.dll remote-transport
/// --peer PORT`). Dispose kills it; closing its stdin also ends it, so it never outlives us.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process) => _process = process;

    public static PeerProcess Start(int driverPort)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the current executable.");
        var dll = Assembly.GetEntryAssembly()!.Location;
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run through `dotnet X.dll` unless we are the apphost itself.
        if (!Path.GetFileNameWithoutExtension(host).Equals(Path.GetFileNameWithoutExtension(dll), StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(dll);
        foreach (var a in new[] { "remote-transport", "--peer", driverPort.ToString() }) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the peer process.");
        // Forward the peer's complaints; its stdout is unused.
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[peer] " + e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[peer] " + e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return new PeerProcess(p);
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        try { _process.StandardInput.Close(); } catch { /* already gone */ }
        try
        {
            if (!_process.WaitForExit(3000)) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(3000);
        }
        catch (InvalidOperationException) { /* never started or already reaped */ }
        _process.Dispose();
    }
}
