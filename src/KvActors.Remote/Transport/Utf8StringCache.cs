using System.Buffers.Binary;
using System.Text;

namespace KvActors.Remote.Transport;

/// <summary>
/// Strings decoded from UTF-8, keyed by their bytes: the same few actor paths and manifests recur
/// on a connection, so decoding each again would allocate a new string per message. One per
/// connection (single reader, no locking). Bounded: when full it starts over, so a peer sending
/// ever-new paths costs a rebuild now and then, never unbounded memory.
/// </summary>
internal sealed class Utf8StringCache
{
    public const int MaxEntries = 1024;
    public const int MaxKeyBytes = 512;

    // Strict: invalid UTF-8 is reported, not replaced, so the caller can take the generated
    // parser's path for it and behave exactly as before.
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // In front of the dictionary: a direct-mapped table indexed by the length and last bytes (where
    // actor paths of one system differ), so a hit costs one vectorized compare instead of hashing
    // every byte through the dictionary's comparer interface. Measured as the receive path's top
    // managed hotspot before it existed.
    // Two ways per set, so two recurring strings that hash alike do not evict each other forever.
    private const int RecentBits = 8;
    private readonly (byte[] Key, string Value)[] _recent = new (byte[], string)[1 << RecentBits];
    private readonly Dictionary<byte[], string> _map = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], string>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public Utf8StringCache() => _lookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _map.Count;

    /// <summary>The string for <paramref name="utf8"/>; false when the bytes are not valid UTF-8.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string value)
    {
        if (utf8.IsEmpty)
        {
            value = "";
            return true;
        }
        var set = Slot(utf8) & ~1;
        ref var way0 = ref _recent[set];
        if (way0.Key is not null && utf8.SequenceEqual(way0.Key))
        {
            value = way0.Value;
            return true;
        }
        ref var way1 = ref _recent[set + 1];
        if (way1.Key is not null && utf8.SequenceEqual(way1.Key))
        {
            value = way1.Value;
            return true;
        }
        if (_lookup.TryGetValue(utf8, out var key, out value!))
        {
            Remember(ref way0, ref way1, key, value);
            return true;
        }
        try { value = Strict.GetString(utf8); }
        catch (DecoderFallbackException) { return false; }
        if (utf8.Length <= MaxKeyBytes)
        {
            if (_map.Count >= MaxEntries)
            {
                _map.Clear();
                Array.Clear(_recent);
            }
            key = utf8.ToArray();
            _map[key] = value;
            Remember(ref way0, ref way1, key, value);
        }
        return true;
    }

    /// <summary>Newest in way 0, the previous occupant moves to way 1 (its old way-1 entry is evicted).</summary>
    private static void Remember(ref (byte[] Key, string Value) way0, ref (byte[] Key, string Value) way1, byte[] key, string value)
    {
        way1 = way0;
        way0 = (key, value);
    }

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        var x = (uint)utf8.Length * 0x9E3779B1u ^ utf8[^1];
        if (utf8.Length >= 8) x ^= (uint)(BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]) * 0x9E3779B97F4A7C15ul >> 32);
        else if (utf8.Length >= 4) x ^= BinaryPrimitives.ReadUInt32LittleEndian(utf8[^4..]) * 0x85EBCA6Bu;
        return (int)(x >> (32 - RecentBits));
    }

    private sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeyComparer Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] key) => Hash(key);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var h = new HashCode();
            h.AddBytes(bytes);
            return h.ToHashCode();
        }
    }
}
