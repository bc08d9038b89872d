using System.Text;
using KvActors.Storage;
using KvActors.Storage.Engine;

// Usage: KvActors.Storage.CrashHost DATA_DIR PARTITIONS SEED [always|everysec]
// Recovers DATA_DIR, then drives each partition's replication log like a replica would, with fsync = always (or
// everysec: an operation is then acknowledged once written, which a killed process must not lose either), from
// PARTITIONS concurrent writers (one per partition, each awaiting its operations in turn): appends, marks (epoch,
// commit point), failovers (a mark with a new epoch, then a truncation of the tail after the commit point, then the
// new epoch's history at the same seqs) and snapshots at the commit point. It prints "op P ..." before an operation
// and "ack P" once it completed, until killed; the parent kills it at a random moment and checks that recovery holds
// every acknowledged operation and no record a truncation voided.
// Record (p, seq) of epoch e: key "k{seq}", value "v-{p}-{seq}-{e}" plus padding, tag "t-{seq}-{e}"; snapshot tag "s-{seq}".
if (args.Length is not (3 or 4) || !int.TryParse(args[1], out var partitions) || !int.TryParse(args[2], out var seed)
    || args.Length == 4 && args[3] is not ("always" or "everysec"))
{
    Console.Error.WriteLine("usage: KvActors.Storage.CrashHost DATA_DIR PARTITIONS SEED [always|everysec]");
    return 2;
}
var fsync = args.Length == 4 && args[3] == "everysec" ? FsyncPolicy.EverySec : FsyncPolicy.Always;
var settings = new StorageSettings { DataDir = args[0], Fsync = fsync, SegmentSize = 32 << 10 };
var engine = FileStorageEngine.Open(settings);
var stdout = Console.Out;
var gate = new object();
const string Padding = "................................................................................";

void Print(string line)
{
    lock (gate)
    {
        stdout.WriteLine(line);
        stdout.Flush();
    }
}

long EpochOf(byte[] value) => long.Parse(Encoding.UTF8.GetString(value).TrimEnd('.').Split('-')[3]);

var writers = Enumerable.Range(0, partitions).Select(async p =>
{
    var random = new Random(seed * 1000 + p);
    var state = await engine.LoadPartitionAsync(p);
    var entries = state.Entries;
    var last = state.LastSeq;
    var commit = state.Mark.CommitPoint;
    var snapshotSeq = state.SnapshotSeq;
    var epoch = Math.Max(1, Math.Max(state.Mark.Epoch, entries.Count == 0 ? 0 : entries.Values.Max(EpochOf)));
    while (true)
    {
        var roll = random.Next(100);
        if (roll < 70)
        {
            var seq = last + 1;
            var key = Encoding.UTF8.GetBytes($"k{seq}");
            var value = Encoding.UTF8.GetBytes($"v-{p}-{seq}-{epoch}{Padding}");
            Print($"op {p} put {seq} {epoch}");
            await engine.AppendAsync(p, seq, new StorageOperation(OperationKind.Put, key, value, epoch, Encoding.UTF8.GetBytes($"t-{seq}-{epoch}")));
            Print($"ack {p}");
            entries[key] = value;
            last = seq;
        }
        else if (roll < 85)
        {
            commit += random.NextInt64(last - commit + 1);
            Print($"op {p} mark {epoch} {commit}");
            await engine.RecordMarkAsync(p, new ReplicaMark(epoch, commit));
            Print($"ack {p}");
        }
        else if (roll < 95 && last > Math.Max(commit, snapshotSeq))
        {
            epoch++;
            Print($"op {p} mark {epoch} {commit}");
            await engine.RecordMarkAsync(p, new ReplicaMark(epoch, commit));
            Print($"ack {p}");
            var keep = Math.Max(commit, snapshotSeq);
            var after = keep + random.NextInt64(last - keep);
            Print($"op {p} truncate {after}");
            await engine.TruncateAfterAsync(p, after);
            Print($"ack {p}");
            for (var seq = after + 1; seq <= last; seq++) entries.Remove(Encoding.UTF8.GetBytes($"k{seq}"));
            last = after;
        }
        else if (commit > snapshotSeq)
        {
            var at = commit;
            var state0 = entries.Where(e => long.Parse(Encoding.UTF8.GetString(e.Key)[1..]) <= at).ToDictionary(ByteArrayComparer.Instance);
            var atEpoch = EpochOf(entries[Encoding.UTF8.GetBytes($"k{at}")]);
            Print($"op {p} snapshot {at} {atEpoch}");
            await engine.SaveSnapshotAsync(p, at, state0, atEpoch, Encoding.UTF8.GetBytes($"s-{at}"));
            Print($"ack {p}");
            snapshotSeq = at;
        }
    }
}).ToArray();
Print("ready");
await Task.WhenAll(writers);
return 0;
