using System.Text;
using KvActors.Storage.Engine;
using Xunit.Abstractions;

namespace KvActors.Storage.Tests;

/// <summary>
/// Random sequences of appends, truncations, marks, snapshots, drops and reopens, applied to a
/// <see cref="FileStorageEngine"/> (4 KiB segments, so records rotate and compaction runs) and to the
/// <see cref="InMemoryStorageEngine"/> as the model (catch-up reads starting mid-segment, in small chunks): after every reopen, and at random points in between, both must
/// load every partition alike and answer catch-up reads alike. Set KVACTORS_STORAGE_SEED to replay one seed.
/// </summary>
public sealed class EngineModelTests(ITestOutputHelper output)
{
    private const int Seeds = 40;
    private const int Steps = 160;
    private const int Partitions = 3;

    [Fact]
    public async Task The_file_engine_agrees_with_the_in_memory_model_across_reopens()
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_STORAGE_SEED"), out var one) ? [one] : Enumerable.Range(1, Seeds);
        var reopens = 0;
        foreach (var seed in seeds) reopens += await RunAsync(seed);
        output.WriteLine($"{Seeds} seeds x {Steps} steps, {reopens} reopens, all in agreement");
    }

    private static async Task<int> RunAsync(int seed)
    {
        var random = new Random(seed);
        using var dir = new TempDir();
        // Catch-up reads start at every 1st to 3rd record of a partition in a segment (32 in production), and read chunks
        // of 100 to 1,000 bytes (1 MiB in production), often smaller than a record: mid-segment starts and chunk ends
        // across truncations, rewrites and drops are checked against the model.
        var settings = new StorageSettings
        {
            DataDir = dir.Path, Fsync = FsyncPolicy.Never, SegmentSize = 4096, CatchUpIndexInterval = 1 + seed % 3, CatchUpReadChunk = 100 + seed * 37 % 900,
        };
        var model = new InMemoryStorageEngine();
        var engine = FileStorageEngine.Open(settings);
        var trace = new List<string>();
        var reopens = 0;
        try
        {
            for (var step = 0; step < Steps; step++)
            {
                var p = random.Next(Partitions);
                var state = await model.LoadPartitionAsync(p);
                var last = state.LastSeq;
                var roll = random.Next(100);
                if (roll < 45)
                {
                    var kind = random.Next(5) == 0 ? OperationKind.Delete : OperationKind.Put;
                    var operation = new StorageOperation(kind, Bytes.Of($"k{random.Next(6)}"),
                        kind == OperationKind.Put ? RandomBytes(random, random.Next(400)) : default, random.Next(1, 5), RandomBytes(random, random.Next(6)));
                    trace.Add($"{kind} p{p} seq {last + 1} epoch {operation.Epoch}");
                    await model.AppendAsync(p, last + 1, operation);
                    await engine.AppendAsync(p, last + 1, operation);
                }
                else if (roll < 57)
                {
                    var mark = new ReplicaMark(random.Next(6), random.Next((int)last + 3));
                    trace.Add($"mark p{p} {mark}");
                    await model.RecordMarkAsync(p, mark);
                    await engine.RecordMarkAsync(p, mark);
                }
                else if (roll < 67)
                {
                    var after = random.NextInt64(last + 1);
                    trace.Add($"truncate p{p} after {after}");
                    await model.TruncateAfterAsync(p, after);
                    await engine.TruncateAfterAsync(p, after);
                }
                else if (roll < 76)
                {
                    // At or above the current snapshot, up to a little past the log (like installing a primary's snapshot).
                    var seq = state.SnapshotSeq + random.NextInt64(last - state.SnapshotSeq + 3);
                    var entries = Enumerable.Range(0, random.Next(4)).ToDictionary(i => Bytes.Of($"s{i}"), _ => RandomBytes(random, random.Next(50)), ByteArrayComparer.Instance);
                    var epoch = random.Next(5);
                    var tag = RandomBytes(random, random.Next(8));
                    trace.Add($"snapshot p{p} at {seq} epoch {epoch} ({entries.Count} entries)");
                    await model.SaveSnapshotAsync(p, seq, entries, epoch, tag);
                    await engine.SaveSnapshotAsync(p, seq, entries, epoch, tag);
                }
                else if (roll < 79)
                {
                    trace.Add($"drop p{p}");
                    await model.DropPartitionAsync(p);
                    await engine.DropPartitionAsync(p);
                }
                else if (roll < 88)
                {
                    trace.Add("reopen");
                    await engine.DisposeAsync();
                    engine = FileStorageEngine.Open(settings);
                    reopens++;
                    for (var q = 0; q < Partitions; q++) await ExpectAgreementAsync(engine, model, q, random);
                    engine.ListPartitions().Should().Equal(model.ListPartitions());
                }
                else
                {
                    trace.Add($"compare p{p}");
                    await ExpectAgreementAsync(engine, model, p, random);
                }
            }
            await engine.DisposeAsync();
            engine = FileStorageEngine.Open(settings);
            for (var q = 0; q < Partitions; q++) await ExpectAgreementAsync(engine, model, q, random);
            return reopens + 1;
        }
        catch (Exception e)
        {
            throw new Exception($"seed {seed} (replay with KVACTORS_STORAGE_SEED={seed}) after: {string.Join("; ", trace.TakeLast(25))}: {e.Message}", e);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    private static async Task ExpectAgreementAsync(IStorageEngine engine, InMemoryStorageEngine model, int p, Random random)
    {
        var expected = await model.LoadPartitionAsync(p);
        var actual = await engine.LoadPartitionAsync(p);
        Describe(actual).Should().Be(Describe(expected), $"partition {p} should load as the model has it");

        var afterSeqs = new[] { 0, expected.SnapshotSeq, Math.Max(0, expected.SnapshotSeq - 1), random.NextInt64(expected.LastSeq + 2) };
        foreach (var afterSeq in afterSeqs.Distinct())
        {
            var max = random.Next(3) == 0 ? int.MaxValue : random.Next(1, 4);
            var want = await model.ReadSinceAsync(p, afterSeq, max);
            var got = await engine.ReadSinceAsync(p, afterSeq, max);
            Describe(got).Should().Be(Describe(want), $"catch-up of partition {p} after {afterSeq} (at most {max}) should match the model");
        }
    }

    private static string Describe(PartitionState s)
    {
        var text = new StringBuilder();
        text.Append($"snapshot {s.SnapshotSeq} epoch {s.SnapshotEpoch} tag {Hex(s.SnapshotTag)} mark {s.Mark}\n");
        foreach (var (key, value) in s.SnapshotEntries.OrderBy(e => Hex(e.Key))) text.Append($"  {Hex(key)}={Hex(value)}\n");
        foreach (var r in s.Records) text.Append(Describe(r)).Append('\n');
        return text.ToString();
    }

    private static string Describe(CatchUpResult r) =>
        r.Compacted ? "compacted" : string.Join("\n", r.Records.Select(Describe));

    private static string Describe(LogRecord r) => $"{r.Partition}/{r.Seq} {r.Kind} {Hex(r.Key)}={Hex(r.Value)} e{r.Epoch} t{Hex(r.Tag)}";

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
