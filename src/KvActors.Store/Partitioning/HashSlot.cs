using System.Text;

namespace KvActors.Store.Partitioning;

/// <summary>
/// Key -> one of 16384 slots, as Redis Cluster does it: CRC16 of the key, or of its hash tag,
/// so keys sharing a tag (<c>{user1000}.following</c>, <c>{user1000}.followers</c>) share a slot.
/// </summary>
public static class HashSlot
{
    public const int Count = 16384;

    public static int Of(ReadOnlySpan<byte> key) => Crc16.Compute(HashedPart(key)) & (Count - 1);

    /// <summary>The slot of a string key, hashed as its UTF-8 bytes.</summary>
    public static int Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var written = Encoding.UTF8.GetBytes(key, buffer);
        return Of(buffer[..written]);
    }

    /// <summary>
    /// The bytes that decide the slot: between the first '{' and the first '}' after it when that is
    /// non-empty, otherwise the whole key (so "{}" or an unclosed '{' do not collapse keys together).
    /// </summary>
    public static ReadOnlySpan<byte> HashedPart(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open < 0)
            return key;
        var close = key[(open + 1)..].IndexOf((byte)'}');
        return close > 0 ? key.Slice(open + 1, close) : key;
    }
}
