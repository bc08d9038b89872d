using System.Diagnostics;
using System.Globalization;

namespace KvActors.Benchmarks.Store;

/// <summary>
/// CPU time (user + system) a set of processes has used, read from /proc/PID/stat: a machine-load-independent view of
/// what one operation costs. On systems without /proc, or for a process that is gone, it reads as NaN.
/// </summary>
public static class CpuTime
{
    /// <summary>Linux reports stat times in clock ticks of USER_HZ, 100 per second on every common build.</summary>
    private const double TicksPerSecond = 100;

    public static double Seconds(int pid)
    {
        if (pid == Environment.ProcessId) return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        try
        {
            return Cpu(StatFields($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return double.NaN;
        }
    }

    public static double Seconds(IEnumerable<int> pids) => pids.Sum(Seconds);

    /// <summary>
    /// The CPU time (user + system) of every process on the machine but kernel threads, by pid, from /proc/PID/stat; empty
    /// without /proc. Two such readings give what the processes that ran through a window used in it
    /// (<see cref="OthersSeconds"/>). Kernel threads are left out: they also carry work the measured processes cause
    /// (loopback traffic, log writeback), while the processes that spoil a run (a node left running) are user processes.
    /// </summary>
    public static Dictionary<int, double> AllProcesses()
    {
        var all = new Dictionary<int, double>();
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return all;
        }
        foreach (var dir in dirs)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var fields = StatFields(Path.Combine(dir, "stat"));
                // flags is field 9 of the line, 7 after the name; PF_KTHREAD marks a kernel thread.
                if ((ulong.Parse(fields[6], CultureInfo.InvariantCulture) & 0x00200000) != 0) continue;
                all[pid] = Cpu(fields);
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                // gone since the listing, or not readable: not counted
            }
        }
        return all;
    }

    /// <summary>The pid of this process's parent, or null without /proc.</summary>
    public static int? ParentPid()
    {
        try
        {
            // ppid is field 4 of the line, 2 after the name.
            return int.Parse(StatFields("/proc/self/stat")[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return null;
        }
    }

    /// <summary>
    /// What the processes present at both readings, except <paramref name="measured"/> and this one, used between them:
    /// a process started and ended in between (a short command) is not seen, a process left running is.
    /// </summary>
    public static double OthersSeconds(Dictionary<int, double> before, Dictionary<int, double> after, IEnumerable<int> measured)
    {
        var excluded = new HashSet<int>(measured) { Environment.ProcessId };
        return after.Where(p => !excluded.Contains(p.Key) && before.ContainsKey(p.Key)).Sum(p => Math.Max(0, p.Value - before[p.Key]));
    }

    /// <summary>What <paramref name="seconds"/> of CPU time is as a share of all the machine's cores over <paramref name="window"/>.</summary>
    public static double ShareOfMachine(double seconds, TimeSpan window) => seconds / (window.TotalSeconds * Environment.ProcessorCount);

    /// <summary>
    /// The fields of a /proc/PID/stat line after the command name (field 2), which is in parentheses and may hold spaces:
    /// index i is field i + 3 of the line.
    /// </summary>
    private static string[] StatFields(string path)
    {
        var stat = File.ReadAllText(path);
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>utime + stime (fields 14 and 15 of the line) in seconds.</summary>
    private static double Cpu(string[] fields) =>
        (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;

    /// <summary>A process gone since it was listed, a file not readable, or a line not as expected.</summary>
    private static bool IsUnreadable(Exception e) =>
        e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException;

    /// <summary>
    /// The share of the machine's CPU other processes (<see cref="OthersSeconds"/>) may use during a measured window
    /// before a benchmark flags the run. Measured here (2026-11-29): store-load's 10-s put window read 0.25% on a quiet
    /// machine and 2.1% with one idle kvnode left running; bench store's phases read 0.2-0.3% (the benchmark process
    /// that started the load left out); bench resp's runs of a second or more read at most 1% on a quiet machine and
    /// over 1% in all eight with that idle node. A bench store run with three idle kvnodes left running (about 9% of the
    /// machine) measured 13.5k puts/s; runs that day without them measured 13.4k-17.1k, as this VM's speed drifted.
    /// </summary>
    public const double OtherShareLimit = 0.01;
}
