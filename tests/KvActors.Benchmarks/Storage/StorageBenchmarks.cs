using System.Diagnostics;
using KvActors.Storage;
using KvActors.Storage.Engine;

namespace KvActors.Benchmarks.Storage;

/// <summary>
/// `./build.sh bench storage`: append throughput per fsync policy (100-byte values), group commit under `always`
/// (64 concurrent writers vs one), recovery speed over 1,000,000 records, and catch-up reads of a returning replica.
/// Writes under a temp dir it removes.
/// </summary>
public static class StorageBenchmarks
{
    private const int ValueSize = 100;
    private const int Partitions = 64;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Path.Combine(Path.GetTempPath(), "kvactors-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            Report.Figure("storage.append.everysec_per_s", await AppendRate(Dir(root), FsyncPolicy.EverySec, writers: 64), "appends/s");
            Report.Figure("storage.append.never_per_s", await AppendRate(Dir(root), FsyncPolicy.Never, writers: 64), "appends/s");
            var one = await AppendRate(Dir(root), FsyncPolicy.Always, writers: 1);
            Report.Figure("storage.append.always_1writer_per_s", one, "appends/s");
            var many = await AppendRate(Dir(root), FsyncPolicy.Always, writers: 64);
            Report.Figure("storage.append.always_64writers_per_s", many, "appends/s");
            Report.Figure("storage.append.always_group_commit_gain", many / one, "x");
            Report.Figure("storage.recovery_records_per_s", await RecoveryRate(Dir(root), 1_000_000), "records/s");
            var (tail, whole) = await CatchUpReadTimes(Dir(root));
            Report.Figure("storage.catch_up_read_tail_ms", tail, "ms");
            Report.Figure("storage.catch_up_read_from_start_ms", whole, "ms");
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static string Dir(string root) => Path.Combine(root, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// <paramref name="writers"/> callers (one per partition, like the store's shard actors), each awaiting its own
    /// append before the next, for a fixed window after a warm-up.
    /// </summary>
    private static async Task<double> AppendRate(string dir, FsyncPolicy policy, int writers)
    {
        await using var engine = FileStorageEngine.Open(new StorageSettings { DataDir = dir, Fsync = policy });
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        long count = 0;
        var measuring = false;
        var stop = false;
        var tasks = Enumerable.Range(0, writers).Select(p => Task.Run(async () =>
        {
            var key = new byte[16];
            long seq = 0;
            while (!Volatile.Read(ref stop))
            {
                seq++;
                BitConverter.TryWriteBytes(key, seq % 100_000);
                await engine.AppendAsync(p % Partitions, seq, StorageOperation.Put(key, value));
                if (Volatile.Read(ref measuring)) Interlocked.Increment(ref count);
            }
        })).ToArray();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(Window);
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        return Interlocked.Read(ref count) / elapsed;
    }

    /// <summary>
    /// One 64 MiB segment of 256 partitions' records (100-byte values, about 400,000 records), then the median time of a
    /// catch-up read of 512 records: of a replica that missed the last 500 of its partition (the tail: a read starts at
    /// the partition's last indexed record at or below the seq wanted), and of one that missed them all (from the
    /// segment's start, which every read cost before the index). 20 reads each, of different partitions.
    /// </summary>
    private static async Task<(double TailMs, double FromStartMs)> CatchUpReadTimes(string dir)
    {
        const int partitions = 256;
        await using var engine = FileStorageEngine.Open(new StorageSettings { DataDir = dir, Fsync = FsyncPolicy.Never });
        var value = new byte[ValueSize];
        var lastSeq = new long[partitions];
        var pending = new List<Task>(4096);
        for (var i = 0; i < 400_000; i++)
        {
            var p = i % partitions;
            pending.Add(engine.AppendAsync(p, ++lastSeq[p], StorageOperation.Put(BitConverter.GetBytes(i), value)).AsTask());
            if (pending.Count == 4096)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
        async Task<double> MedianMs(Func<int, long> afterSeq)
        {
            var times = new List<double>();
            for (var p = 0; p < 20; p++)
            {
                var clock = Stopwatch.StartNew();
                var read = await engine.ReadSinceAsync(p, afterSeq(p), maxRecords: 512);
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (read.Records.Count == 0) throw new InvalidOperationException($"partition {p}: the catch-up read found nothing");
            }
            times.Sort();
            return times[times.Count / 2];
        }
        await MedianMs(p => 0); // warm-up: the file is in the page cache for both
        return (await MedianMs(p => lastSeq[p] - 500), await MedianMs(p => 0));
    }

    /// <summary>Writes <paramref name="records"/> records over 16 partitions, then times open + loading every partition.</summary>
    private static async Task<double> RecoveryRate(string dir, int records)
    {
        var settings = new StorageSettings { DataDir = dir, Fsync = FsyncPolicy.Never };
        const int partitions = 16;
        await using (var engine = FileStorageEngine.Open(settings))
        {
            var value = new byte[ValueSize];
            var pending = new List<Task>(4096);
            for (var i = 0; i < records; i++)
            {
                var key = BitConverter.GetBytes(i % 250_000);
                pending.Add(engine.AppendAsync(i % partitions, i / partitions + 1, StorageOperation.Put(key, value)).AsTask());
                if (pending.Count == 4096)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }
            await Task.WhenAll(pending);
        }
        GC.Collect();
        var clock = Stopwatch.StartNew();
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var p = 0; p < partitions; p++) await engine.LoadPartitionAsync(p);
            var elapsed = clock.Elapsed.TotalSeconds;
            if (engine.RecordsRecovered != records) throw new InvalidOperationException($"recovered {engine.RecordsRecovered} records, expected {records}");
            return records / elapsed;
        }
    }
}
