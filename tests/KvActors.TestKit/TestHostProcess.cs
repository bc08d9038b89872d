using System.Diagnostics;
using System.Text;
using Xunit.Sdk;

namespace KvActors.TestKit;

/// <summary>
/// A child process (`dotnet some.dll ...`) whose stdout and stderr lines are recorded as they
/// arrive, so a test can wait for a line with a deadline and, when it fails, show what the process
/// said. Dispose kills it (SIGKILL, whole tree) if it still runs: no test leaves a process behind,
/// also when it fails. It knows nothing of actors: it runs kvnode and kv as an operator would.
/// </summary>
public sealed class TestHostProcess : IDisposable
{
    /// <summary>Variables a child never inherits from the test run, so a developer's shell cannot change a test.</summary>
    private static readonly string[] ScrubbedPrefixes = ["KVACTORS__", "AKKA__"];
    private static readonly string[] ScrubbedNames = ["KVACTORS_CERT_PASSWORD", "NO_COLOR"];

    private readonly Process _process;
    private readonly List<OutputLine> _lines = [];
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _cursor;
    private int _openStreams = 2;

    private TestHostProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        process.OutputDataReceived += (_, e) => Record(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Record(e.Data, isError: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine(); // drained as well, so the child never blocks on a full pipe
    }

    /// <summary>How failure messages call it ("kvnode n1", "kv cluster show").</summary>
    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Every line so far, stdout and stderr, in the order they arrived.</summary>
    public IReadOnlyList<OutputLine> Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public string Stdout => Text(isError: false);

    public string Stderr => Text(isError: true);

    /// <summary>
    /// Starts `<paramref name="launcher"/> <paramref name="dll"/> <paramref name="args"/>` (by default `dotnet`, and then
    /// <paramref name="dll"/> must exist) with stdin, stdout and stderr redirected.
    /// </summary>
    /// <param name="environment">Variables to set (a null value removes one) on top of the scrubbed inherited environment.</param>
    public static TestHostProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? name = null, string launcher = "dotnet")
    {
        if (launcher == "dotnet" && !File.Exists(dll)) throw new XunitException($"{dll} was not built.");
        var start = new ProcessStartInfo(launcher)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (ScrubbedNames.Contains(key) || ScrubbedPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))) start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        var shownAs = name ?? $"{Path.GetFileNameWithoutExtension(dll)} {string.Join(' ', start.ArgumentList.Skip(1))}";
        return new TestHostProcess(Process.Start(start) ?? throw new XunitException($"Could not start {shownAs}."), shownAs);
    }

    /// <summary>Starts a built dll with <paramref name="args"/>.</summary>
    public static TestHostProcess StartDll(string dllPath, params string[] args) => Start(dllPath, args);

    /// <summary>
    /// As <see cref="StartDll"/>, with SIGINT at its default disposition, as in a terminal. A test run started in the
    /// background of a shell (`./build.sh test &amp;`) inherits SIGINT ignored, and .NET then leaves Ctrl+C handlers
    /// uninstalled, so a spec of what Ctrl+C does would fail there only. Uses coreutils' `env --default-signal` (8.31+)
    /// when the machine has it.
    /// </summary>
    public static TestHostProcess StartDllAsInATerminal(string dllPath, params string[] args)
    {
        if (!EnvResetsSignals.Value) return Start(dllPath, args);
        if (!File.Exists(dllPath)) throw new XunitException($"{dllPath} was not built.");
        // env's first argument stands where the dll goes for dotnet; env then runs `dotnet dll args`.
        return Start("--default-signal=INT", ["dotnet", dllPath, .. args], launcher: "env", name: $"{Path.GetFileNameWithoutExtension(dllPath)} {string.Join(' ', args)}");
    }

    private static readonly Lazy<bool> EnvResetsSignals = new(() =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT", "true"]) { UseShellExecute = false, RedirectStandardError = true });
            if (probe is null) return false;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>Writes <paramref name="text"/> to the process's stdin and closes it (the process sees end of input).</summary>
    public void CloseInput(string text = "")
    {
        if (text.Length > 0) _process.StandardInput.Write(text);
        _process.StandardInput.Close();
    }

    /// <summary>
    /// The first line, from the start of the output, that <paramref name="match"/> accepts; waits
    /// for it until the deadline. Fails with the process's last lines when none comes.
    /// </summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout, string description)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            var scanned = 0;
            while (true)
            {
                for (; scanned < _lines.Count; scanned++)
                {
                    if (match(_lines[scanned].Text)) return _lines[scanned].Text;
                }
                var left = timeout - clock.Elapsed;
                if (_openStreams == 0 || left <= TimeSpan.Zero) break;
                Monitor.Wait(_gate, left);
            }
        }
        throw Failure($"{Name} printed no line {description} within {timeout.TotalSeconds:0.#} s{(HasExited ? " (it exited)" : "")}.");
    }

    public string WaitForLineContaining(string text, TimeSpan? timeout = null) =>
        WaitForLine(l => l.Contains(text, StringComparison.Ordinal), timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(30)), $"containing '{text}'");

    /// <summary>
    /// The next line after the last one an Expect call returned that contains <paramref name="text"/>:
    /// for output that must come in order.
    /// </summary>
    public string ExpectLineContaining(string text, TimeSpan? timeout = null)
    {
        var max = timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            while (true)
            {
                for (; _cursor < _lines.Count; _cursor++)
                {
                    if (_lines[_cursor].Text.Contains(text, StringComparison.Ordinal)) return _lines[_cursor++].Text;
                }
                var left = max - clock.Elapsed;
                if (_openStreams == 0 || left <= TimeSpan.Zero) break;
                Monitor.Wait(_gate, left);
            }
        }
        throw Failure($"{Name} printed no further line containing '{text}' within {max.TotalSeconds:0.#} s{(HasExited ? " (it exited)" : "")}.");
    }

    public bool HasLine(Func<string, bool> match)
    {
        lock (_gate) return _lines.Any(l => match(l.Text));
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails, showing its last lines, if it still runs at the deadline.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw Failure($"{Name} did not exit within {timeout.TotalSeconds:0.#} s.");
        _process.WaitForExit(); // the output readers finish too
        return _process.ExitCode;
    }

    /// <summary>Whether the process exits within <paramref name="timeout"/> (no failure either way).</summary>
    public bool Exits(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return true;
    }

    /// <summary>SIGKILL (the whole tree): no chance to clean up, like a crash or a power cut.</summary>
    public void Kill()
    {
        try
        {
            if (_process.HasExited) return;
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        }
        catch (InvalidOperationException)
        {
            // it exited between the check and the kill
        }
    }

    /// <summary>Sends a signal by name (TERM, INT, STOP, CONT) with kill(1); fails if it cannot be sent.</summary>
    public void Signal(string signal)
    {
        if (_process.HasExited) throw Failure($"{Name} exited before it could get SIG{signal}.");
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add($"-{signal}");
        start.ArgumentList.Add(_process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var kill = Process.Start(start) ?? throw new XunitException("Could not run kill(1).");
        var error = kill.StandardError.ReadToEnd();
        if (!kill.WaitForExit(10_000) || kill.ExitCode != 0) throw Failure($"kill -{signal} {_process.Id} failed: {error.Trim()}");
    }

    /// <summary>A test failure that shows what the process printed last.</summary>
    public XunitException Failure(string message) => new($"{message}\n--- last output of {Name} (pid {_process.Id}) ---\n{Tail(40)}");

    /// <summary>The last <paramref name="count"/> lines, stderr marked.</summary>
    public string Tail(int count = 40)
    {
        lock (_gate) return string.Join('\n', _lines.TakeLast(count).Select(l => l.IsError ? "[stderr] " + l.Text : l.Text));
    }

    public void Dispose()
    {
        Kill();
        try { _process.StandardInput.Dispose(); }
        catch (IOException) { /* the pipe is already broken */ }
        _process.Dispose();
    }

    private void Record(string? data, bool isError)
    {
        lock (_gate)
        {
            if (data is null) _openStreams--;
            else _lines.Add(new OutputLine(isError, data));
            Monitor.PulseAll(_gate);
        }
    }

    private string Text(bool isError)
    {
        lock (_gate) return string.Concat(_lines.Where(l => l.IsError == isError).Select(l => l.Text + "\n"));
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

/// <summary>One line a child process printed, and on which stream.</summary>
public sealed record OutputLine(bool IsError, string Text);
