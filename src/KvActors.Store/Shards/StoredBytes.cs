using Google.Protobuf;

namespace KvActors.Store.Shards;

/// <summary>
/// Copies of the values a replica is about to keep, made on the pinned object heap (<see cref="GC.AllocateUninitializedArray{T}"/>
/// with pinned: true), which the GC collects with the oldest generation and never moves.
/// </summary>
/// <remarks>
/// A value lives in its partition's dictionary until it is overwritten or deleted, usually well past a young collection.
/// Made on the ordinary heap, each one was copied by the next young collection and then again into the oldest
/// generation. On a single RF=1 node under pipelined SETs they were most of what every young collection copied; made
/// here, the time spent collecting fell from about 1.45 s to 0.7-0.87 s of a 6-s trace, while SET throughput did not
/// separate from the noise (the benchmarks' README has the runs).
/// The pinned heap is not compacted: a freed value leaves a gap that a later value of at most its size reuses, as
/// a malloc-style allocator would. Keys are left on the ordinary heap: the dictionary keeps the first key array of a key
/// and later writes' copies die young.
/// </remarks>
internal static class StoredBytes
{
    public static byte[] Copy(ByteString bytes) => Copy(bytes.Span);

    public static byte[] Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return [];
        var copy = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
        bytes.CopyTo(copy);
        return copy;
    }
}
