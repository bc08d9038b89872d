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
    /// CPU time the whole machine has been busy, over all cores (user, nice, system, irq and softirq of /proc/stat's
    /// first line; idle, iowait and time stolen by the hypervisor are not busy): less the processes measured, what
    /// everything else on the machine used. NaN without /proc.
    /// </summary>
    public static double MachineBusySeconds()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[0] != "cpu") return double.NaN;
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return double.NaN;
        }
    }
}
