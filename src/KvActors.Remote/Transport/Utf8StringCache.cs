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
        if (_lookup.TryGetValue(utf8, out value!)) return true;
        try { value = Strict.GetString(utf8); }
        catch (DecoderFallbackException) { return false; }
        if (utf8.Length <= MaxKeyBytes)
        {
            if (_map.Count >= MaxEntries) _map.Clear();
            _map[utf8.ToArray()] = value;
        }
        return true;
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
