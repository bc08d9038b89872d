using System.Diagnostics;
using System.Globalization;
using KvActors.Benchmarks.Remote;

namespace KvActors.Benchmarks.Store;

/// <summary>One phase's figures as the load process reported them (its `result` line).</summary>
public sealed record LoadResult(string Op, long Ops, double Seconds, double P50Us, double P99Us, double MaxUs, double ClientCpuSeconds, double NodesCpuSeconds, double OtherCpuSeconds, double RequestsPerBatch, double RepliesPerBatch, long Errors, string FirstError)
{
    public double OpsPerSecond => Ops / Seconds;

    /// <summary>CPU time per operation in the load process and summed over the nodes, in microseconds.</summary>
    public (double Client, double Nodes) CpuUsPerOp => (ClientCpuSeconds * 1e6 / Ops, NodesCpuSeconds * 1e6 / Ops);

    public static LoadResult Parse(string line)
    {
        // result OP ops=N seconds=S p50_us=X p99_us=Y max_us=Z cpu_client_s=C cpu_nodes_s=D cpu_other_s=O requests_per_batch=R replies_per_batch=A errors=E first_error=free text to the end
        var parts = line.Split(' ', 3);
        var errorAt = parts[2].IndexOf("first_error=", StringComparison.Ordinal);
        var fields = parts[2][..errorAt].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        return new LoadResult(parts[1], (long)fields["ops"], fields["seconds"], fields["p50_us"], fields["p99_us"], fields["max_us"],
            fields["cpu_client_s"], fields["cpu_nodes_s"], fields["cpu_other_s"], fields["requests_per_batch"], fields["replies_per_batch"], (long)fields["errors"], parts[2][(errorAt + "first_error=".Length)..]);
    }
}

/// <summary>Runs the load generator (this executable with <see cref="StoreLoad.Command"/>) to completion and collects its results.</summary>
public static class LoadRun
{
    public static async Task<IReadOnlyList<LoadResult>> RunAsync(IEnumerable<string> args, TimeSpan deadline)
    {
        var start = SelfCommand.StartInfo([StoreLoad.Command, .. args]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Report.Note($"load: {string.Join(' ', start.ArgumentList.Prepend(start.FileName))}");
        var results = new List<LoadResult>();
        var other = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (results)
            {
                if (e.Data.StartsWith("result ", StringComparison.Ordinal)) results.Add(LoadResult.Parse(e.Data));
                else other.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (results) other.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var timeout = new CancellationTokenSource(deadline))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                lock (results) throw new TimeoutException($"the load process did not finish within {deadline.TotalSeconds:0} s; its output: {string.Join(" | ", other.TakeLast(10))}");
            }
        }
        lock (results)
        {
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"the load process exited with code {process.ExitCode}: {string.Join(" | ", other.TakeLast(10))}");
            return [.. results];
        }
    }
}
