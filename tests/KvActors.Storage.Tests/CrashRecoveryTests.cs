using System.Diagnostics;
using System.Text;
using KvActors.Storage.Engine;
using Xunit.Abstractions;

namespace KvActors.Storage.Tests;

/// <summary>
/// A child process (KvActors.Storage.CrashHost) drives replication logs with fsync = always or everysec (where an
/// operation is acknowledged once written, into the mapped segment on Linux: a killed process must keep it all the
/// same, in the page cache): appends, marks,
/// truncations followed by a new epoch's history, snapshots. It prints each operation before starting it and an
/// acknowledgement once it completed; we SIGKILL it at a random moment, recover, and require the recovered partitions
/// to be exactly the acknowledged operations applied (plus, at most, the one operation per partition in flight): every
/// acknowledged record with its epoch and tag, no record a truncation voided, the highest mark, the last snapshot.
/// Set KVACTORS_CRASH_SEED to replay a failure.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Rounds = 30;
    private const int Partitions = 4;
    private static readonly TimeSpan RoundDeadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("always")]
    [InlineData("everysec")]
    public async Task Every_acknowledged_operation_survives_SIGKILL_and_no_voided_record_comes_back(string fsync)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_CRASH_SEED"), out var s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var host = CrashHostPath();
        using var dir = new TempDir();
        var models = Enumerable.Range(0, Partitions).Select(_ => new PartitionModel()).ToArray();
        var round = 0;
        try
        {
            for (round = 1; round <= Rounds; round++)
            {
                var pending = await RunAndKill(host, dir.Path, random.Next(), random.Next(0, 300), models, fsync);
                await VerifyAsync(dir.Path, models, pending);
            }
        }
        catch (Exception e)
        {
            throw new Exception($"Crash test failed in round {round} of {Rounds}; rerun with KVACTORS_CRASH_SEED={seed}: {e.Message}", e);
        }
        output.WriteLine($"fsync {fsync}, seed {seed}: {models.Sum(m => m.Acknowledged)} acknowledged operations " +
            $"({models.Sum(m => m.Truncations)} truncations, {models.Sum(m => m.Snapshots)} snapshots) over {Rounds} kills, all recovered");
    }

    /// <summary>Runs the host until <paramref name="killAfterAcks"/> acknowledgements, kills it; returns each partition's operation in flight.</summary>
    private static async Task<string?[]> RunAndKill(string host, string dataDir, int seed, int killAfterAcks, PartitionModel[] models, string fsync)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { host, dataDir, Partitions.ToString(), seed.ToString(), fsync }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var pending = new string?[Partitions];
        var acks = 0;
        void Take(string line)
        {
            var parts = line.Split(' ', 3);
            if (parts.Length < 2 || !int.TryParse(parts[1], out var p)) return;
            if (parts[0] == "op") pending[p] = parts[2];
            else if (parts[0] == "ack")
            {
                models[p].Apply(pending[p] ?? throw new InvalidOperationException($"ack without an operation for partition {p}"));
                pending[p] = null;
                acks++;
            }
        }
        try
        {
            using var deadline = new CancellationTokenSource(RoundDeadline);
            var ready = false;
            while (!ready || acks < killAfterAcks)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"the crash host exited early: {stderr}");
                if (line == "ready") ready = true;
                else Take(line);
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);  // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        // Lines the child printed before dying count too; a last line without its newline does not.
        var rest = await process.StandardOutput.ReadToEndAsync();
        foreach (var line in rest.Split('\n')[..^1]) Take(line.TrimEnd('\r'));
        return pending;
    }

    private static async Task VerifyAsync(string dataDir, PartitionModel[] models, string?[] pending)
    {
        await using var engine = FileStorageEngine.Open(new StorageSettings { DataDir = dataDir, Fsync = FsyncPolicy.Never, SegmentSize = 32 << 10 });
        for (var p = 0; p < Partitions; p++)
        {
            var actual = Describe(await engine.LoadPartitionAsync(p));
            var acknowledged = models[p].Describe(p);
            if (actual == acknowledged) continue;
            if (pending[p] is { } inFlight)
            {
                var withInFlight = models[p].Clone();
                withInFlight.Apply(inFlight);
                if (actual == withInFlight.Describe(p))
                {
                    models[p] = withInFlight;
                    continue;
                }
            }
            actual.Should().Be(acknowledged, $"partition {p} should hold exactly its acknowledged operations (in flight: {pending[p] ?? "none"})");
        }
    }

    private static string Describe(PartitionState s)
    {
        var text = new StringBuilder($"snapshot {s.SnapshotSeq} epoch {s.SnapshotEpoch} tag {Bytes.Text(s.SnapshotTag.ToArray())} mark {s.Mark}\n");
        foreach (var (key, value) in s.Entries.OrderBy(e => long.Parse(Bytes.Text(e.Key)[1..])))
            text.Append($"{Bytes.Text(key)}={Bytes.Text(value).TrimEnd('.')}\n");
        foreach (var r in s.Records) text.Append($"record {r.Seq} {r.Kind} e{r.Epoch} {Bytes.Text(r.Tag.ToArray())}\n");
        return text.ToString();
    }

    /// <summary>One partition as the acknowledged operations make it: every live seq with its epoch, the mark, the snapshot.</summary>
    private sealed class PartitionModel
    {
        private SortedDictionary<long, long> _epochs = new();
        private ReplicaMark _mark;
        private long _snapshotSeq;
        private long _snapshotEpoch;

        public int Acknowledged { get; private set; }
        public int Truncations { get; private set; }
        public int Snapshots { get; private set; }

        public void Apply(string operation)
        {
            var f = operation.Split(' ');
            switch (f[0])
            {
                case "put":
                    _epochs[long.Parse(f[1])] = long.Parse(f[2]);
                    break;
                case "mark":
                    _mark = _mark.Max(new ReplicaMark(long.Parse(f[1]), long.Parse(f[2])));
                    break;
                case "truncate":
                    var after = long.Parse(f[1]);
                    foreach (var seq in _epochs.Keys.Where(q => q > after).ToList()) _epochs.Remove(seq);
                    Truncations++;
                    break;
                case "snapshot":
                    (_snapshotSeq, _snapshotEpoch) = (long.Parse(f[1]), long.Parse(f[2]));
                    Snapshots++;
                    break;
                default:
                    throw new InvalidOperationException($"unknown operation '{operation}' from the crash host");
            }
            Acknowledged++;
        }

        public PartitionModel Clone() => new()
        {
            _epochs = new SortedDictionary<long, long>(_epochs), _mark = _mark, _snapshotSeq = _snapshotSeq, _snapshotEpoch = _snapshotEpoch,
            Acknowledged = Acknowledged, Truncations = Truncations, Snapshots = Snapshots,
        };

        public string Describe(int p)
        {
            var tag = _snapshotSeq > 0 ? $"s-{_snapshotSeq}" : "";
            var text = new StringBuilder($"snapshot {_snapshotSeq} epoch {_snapshotEpoch} tag {tag} mark {_mark}\n");
            foreach (var (seq, epoch) in _epochs) text.Append($"k{seq}=v-{p}-{seq}-{epoch}\n");
            foreach (var (seq, epoch) in _epochs.Where(e => e.Key > _snapshotSeq)) text.Append($"record {seq} Put e{epoch} t-{seq}-{epoch}\n");
            return text.ToString();
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
