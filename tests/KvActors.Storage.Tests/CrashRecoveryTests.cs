using System.Diagnostics;
using KvActors.Storage.Engine;
using Xunit.Abstractions;

namespace KvActors.Storage.Tests;

/// <summary>
/// A child process appends with fsync = always and prints each acknowledged record; we SIGKILL it at a random
/// moment, recover, and require every acknowledged record to be there. Set KVACTORS_CRASH_SEED to replay a failure.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Rounds = 50;
    private const int Partitions = 4;
    private static readonly TimeSpan RoundDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_acknowledged_record_survives_SIGKILL()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_CRASH_SEED"), out var s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var host = CrashHostPath();
        using var dir = new TempDir();
        var acknowledged = new List<(int Partition, long Seq)>();
        var round = 0;
        try
        {
            for (round = 1; round <= Rounds; round++)
            {
                var killAfterAcks = random.Next(0, 300);
                acknowledged.AddRange(await RunAndKill(host, dir.Path, killAfterAcks));
                await VerifyAsync(dir.Path, acknowledged);
            }
        }
        catch (Exception e)
        {
            throw new Exception($"Crash test failed in round {round} of {Rounds}; rerun with KVACTORS_CRASH_SEED={seed}: {e.Message}", e);
        }
        output.WriteLine($"seed {seed}: {acknowledged.Count} acknowledged records over {Rounds} kills, all recovered");
    }

    private static async Task<List<(int, long)>> RunAndKill(string host, string dataDir, int killAfterAcks)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { host, dataDir, Partitions.ToString() }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var acks = new List<(int, long)>();
        try
        {
            using var deadline = new CancellationTokenSource(RoundDeadline);
            var ready = false;
            while (!ready || acks.Count < killAfterAcks)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token);
                if (line is null) throw new InvalidOperationException($"the crash host exited early: {stderr}");
                if (line == "ready") ready = true;
                else if (TryParseAck(line, out var ack)) acks.Add(ack);
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);  // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        // Lines the child printed before dying are acknowledgements too; a last line without its newline is not.
        var rest = await process.StandardOutput.ReadToEndAsync();
        var lines = rest.Split('\n');
        foreach (var line in lines[..^1])
            if (TryParseAck(line.TrimEnd('\r'), out var ack)) acks.Add(ack);
        return acks;
    }

    private static bool TryParseAck(string line, out (int, long) ack)
    {
        ack = default;
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0] != "ack" || !int.TryParse(parts[1], out var p) || !long.TryParse(parts[2], out var seq)) return false;
        ack = (p, seq);
        return true;
    }

    private static async Task VerifyAsync(string dataDir, List<(int Partition, long Seq)> acknowledged)
    {
        await using var engine = FileStorageEngine.Open(new StorageSettings { DataDir = dataDir, Fsync = FsyncPolicy.Never, SegmentSize = 256 << 10 });
        foreach (var group in acknowledged.GroupBy(a => a.Partition))
        {
            var state = await engine.LoadPartitionAsync(group.Key);
            foreach (var (p, seq) in group)
            {
                state.Entries.TryGetValue(Bytes.Of($"k{seq}"), out var value).Should().BeTrue($"partition {p} seq {seq} was acknowledged");
                Bytes.Text(value!).Should().Be($"value-{p}-{seq}");
            }
            state.LastSeq.Should().BeGreaterThanOrEqualTo(group.Max(a => a.Seq));
        }
    }

    private static string CrashHostPath()
    {
        // The tests run from tests/KvActors.Storage.Tests/bin/CONFIG/TFM/; the host builds beside it.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var testsDir = tfmDir.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(testsDir, "KvActors.Storage.CrashHost", "bin", configuration, tfmDir.Name, "KvActors.Storage.CrashHost.dll");
        File.Exists(path).Should().BeTrue($"the crash host should have been built to {path}");
        return path;
    }
}
