using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Sdk;

namespace KvActors.TestKit;

/// <summary>
/// A child process running one of the test host programs built beside the test assembly
/// (tests/NAME/bin/CONFIG/TFM/NAME.dll). Its stdout lines are queued for the test; it is
/// killed (SIGKILL) on Dispose if still running, so no test leaves a process behind.
/// </summary>
public sealed class TestHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();

    private TestHostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.CompleteAdding();
            else _lines.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine(); // drained so the child never blocks on a full pipe
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Starts tests/<paramref name="projectName"/>'s built dll with <paramref name="args"/>.</summary>
    public static TestHostProcess Start(string projectName, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LocateSibling(projectName));
        foreach (var a in args) start.ArgumentList.Add(a);
        return new TestHostProcess(Process.Start(start) ?? throw new XunitException($"Could not start {projectName}."));
    }

    /// <summary>
    /// Starts any built dll (an executable of src/, say) with <paramref name="args"/>; stdout is
    /// queued like a test host's, stderr drained. Killed on Dispose if still running.
    /// </summary>
    public static TestHostProcess StartDll(string dllPath, params string[] args)
    {
        if (!File.Exists(dllPath)) throw new XunitException($"{dllPath} was not built.");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        return new TestHostProcess(Process.Start(start) ?? throw new XunitException($"Could not start {dllPath}."));
    }

    /// <summary>The next stdout line that contains <paramref name="text"/>, within the timeout.</summary>
    public string ExpectLineContaining(string text, TimeSpan? timeout = null)
    {
        var max = timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < max)
        {
            if (!_lines.TryTake(out var line, max - clock.Elapsed)) break;
            if (line.Contains(text, StringComparison.Ordinal)) return line;
        }
        throw new XunitException($"The process printed no line containing '{text}' within {max.TotalSeconds} s (exited: {_process.HasExited}).");
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails if it is still running at the deadline.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            throw new XunitException($"The process did not exit within {timeout.TotalSeconds} s. Its last output:\n{string.Join('\n', RemainingLines().TakeLast(20))}");
        _process.WaitForExit(); // lets the output readers finish
        return _process.ExitCode;
    }

    /// <summary>The stdout lines not yet taken by ExpectLine; complete once the process has exited.</summary>
    public IReadOnlyList<string> RemainingLines()
    {
        var rest = new List<string>();
        while (_lines.TryTake(out var line)) rest.Add(line);
        return rest;
    }

    /// <summary>src/<paramref name="projectName"/>'s build output <paramref name="assemblyName"/>.dll in this test run's configuration.</summary>
    public static string LocateSource(string projectName, string assemblyName)
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var root = tfmDir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", projectName, "bin", configuration, tfmDir.Name, assemblyName + ".dll");
        if (!File.Exists(path)) throw new XunitException($"{projectName} was not built to {path}.");
        return path;
    }

    /// <summary>The next stdout line that starts with <paramref name="prefix"/>, within the timeout.</summary>
    public string ExpectLine(string prefix, TimeSpan? timeout = null)
    {
        var max = timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < max)
        {
            if (!_lines.TryTake(out var line, max - clock.Elapsed)) break;
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
        }
        throw new XunitException($"The test host printed no line starting with '{prefix}' within {max.TotalSeconds} s (exited: {_process.HasExited}).");
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, like a crash.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
        kill?.WaitForExit(5_000);
    }

    public void Dispose()
    {
        try { Kill(); }
        catch (InvalidOperationException) { /* never started or already reaped */ }
        _process.Dispose();
    }

    /// <summary>Test hosts build to tests/NAME/bin/CONFIG/TFM/NAME.dll, beside this test assembly's tests/X/bin/CONFIG/TFM.</summary>
    public static string LocateSibling(string projectName)
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var testsDir = tfmDir.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(testsDir, projectName, "bin", configuration, tfmDir.Name, projectName + ".dll");
        if (!File.Exists(path)) throw new XunitException($"The test host {projectName} was not built to {path}.");
        return path;
    }
}
