namespace KvActors.Store.Shards;

/// <summary>A page of a partition's keys and where the next page starts (0: none left).</summary>
public sealed record KeyScanPage(IReadOnlyList<byte[]> Keys, ulong Next);

/// <summary>
/// The order a partition's keys are scanned in, page by page (pure). Each key has a fixed position, 1 + a stable 47-bit
/// hash of its bytes (the same in every process and run), and a page is the keys with the smallest positions after
/// the previous page's last, never splitting keys of equal position. Positions do not depend on which other keys
/// exist, so a key present for the whole scan is returned at least once, whatever is written or deleted between
/// pages (Redis's SCAN guarantee); a key may come twice only if written again under the same position, which cannot
/// happen to a key that stays.
/// </summary>
public static class KeyScan
{
    /// <summary>Positions are 1..2^47: 48 bits, so a cursor can hold a partition number beside one.</summary>
    public const int PositionBits = 48;

    private const ulong HashMask = (1UL << 47) - 1;

    /// <summary>The key's position in scan order, 1..2^47.</summary>
    public static ulong PositionOf(ReadOnlySpan<byte> key)
    {
        // FNV-1a over the bytes, then a SplitMix64 finish so nearby keys spread over the whole range.
        var hash = 14695981039346656037UL;
        foreach (var b in key)
            hash = (hash ^ b) * 1099511628211UL;
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return (hash & HashMask) + 1;
    }

    /// <summary>
    /// The keys of <paramref name="keys"/> after position <paramref name="after"/> (0 = from the start): the
    /// <paramref name="count"/> with the smallest positions, plus any of equal position to the last, cut earlier (at a
    /// position boundary, never below one position's keys) once they exceed <paramref name="maxBytes"/>.
    /// </summary>
    public static KeyScanPage Page(IEnumerable<byte[]> keys, ulong after, int count, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // Pass 1: the count-th smallest position after `after` (a max-heap of the smallest seen).
        var smallest = new PriorityQueue<ulong, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        var candidates = 0L;
        foreach (var key in keys)
        {
            var position = PositionOf(key);
            if (position <= after)
                continue;
            candidates++;
            if (smallest.Count < count)
                smallest.Enqueue(position, position);
            else if (position < smallest.Peek())
                smallest.EnqueueDequeue(position, position);
        }
        if (candidates == 0)
            return new KeyScanPage([], 0);
        var threshold = smallest.Peek();

        // Pass 2: every key up to that position, in order; ties at the threshold all come.
        var page = new List<(ulong Position, byte[] Key)>();
        foreach (var key in keys)
        {
            var position = PositionOf(key);
            if (position > after && position <= threshold)
                page.Add((position, key));
        }
        page.Sort((a, b) => a.Position.CompareTo(b.Position));

        var taken = page.Count;
        long bytes = 0;
        for (var i = 0; i < page.Count; i++)
        {
            bytes += page[i].Key.Length + 4;
            if (bytes <= maxBytes || i == 0 || page[i].Position == page[i - 1].Position)
                continue;
            taken = i;
            break;
        }
        var more = taken < page.Count || candidates > page.Count;
        var result = new byte[taken][];
        for (var i = 0; i < taken; i++)
            result[i] = page[i].Key;
        return new KeyScanPage(result, more ? page[taken - 1].Position : 0);
    }
}
