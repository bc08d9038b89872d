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
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
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
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // flags is field 9 of the line, 7 after the name; PF_KTHREAD marks a kernel thread.
                if ((ulong.Parse(fields[6], CultureInfo.InvariantCulture) & 0x00200000) != 0) continue;
                all[pid] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
            {
                // gone since the listing, or not readable: not counted
            }
        }
        return all;
    }

    /// <summary>The pid of this process's parent (field 4 of /proc/self/stat), or null without /proc.</summary>
    public static int? ParentPid()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
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
