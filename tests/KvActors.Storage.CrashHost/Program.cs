using System.Text;
using KvActors.Storage;
using KvActors.Storage.Engine;

// Usage: KvActors.Storage.CrashHost DATA_DIR PARTITIONS
// Recovers DATA_DIR, then appends forever from PARTITIONS concurrent writers (one per partition) with fsync = always,
// printing "ack PARTITION SEQ" for each append only after it completed. The parent kills this process at a random
// moment and checks that every printed record survived. Record (p, seq) is key "k{seq}" with value "value-{p}-{seq}".
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: KvActors.Storage.CrashHost DATA_DIR PARTITIONS");
    return 2;
}
var settings = new StorageSettings { DataDir = args[0], Fsync = FsyncPolicy.Always, SegmentSize = 256 << 10 };
var partitions = int.Parse(args[1]);
var engine = FileStorageEngine.Open(settings);
var stdout = Console.Out;
var gate = new object();

var writers = Enumerable.Range(0, partitions).Select(async p =>
{
    var state = await engine.LoadPartitionAsync(p);
    var seq = state.LastSeq;
    while (true)
    {
        seq++;
        await engine.AppendAsync(p, seq, StorageOperation.Put(Encoding.UTF8.GetBytes($"k{seq}"), Encoding.UTF8.GetBytes($"value-{p}-{seq}")));
        lock (gate)
        {
            stdout.WriteLine($"ack {p} {seq}");
            stdout.Flush();
        }
    }
}).ToArray();
lock (gate) stdout.WriteLine("ready");
await Task.WhenAll(writers);
return 0;
