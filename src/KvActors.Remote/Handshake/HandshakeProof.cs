using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KvActors.Remote.Handshake;

/// <summary>
/// HMAC-SHA256 proofs of the cluster secret. Both nonces and both uids are bound in, and a role
/// label keeps a responder's proof from being reflected back as an initiator's.
/// </summary>
internal static class HandshakeProof
{
    private static readonly byte[] InitiatorLabel = "kvactors-initiator"u8.ToArray();
    private static readonly byte[] ResponderLabel = "kvactors-responder"u8.ToArray();

    public static byte[] Compute(byte[] key, bool initiator, ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR, long uidI, long uidR)
    {
        var label = initiator ? InitiatorLabel : ResponderLabel;
        var data = new byte[label.Length + nonceI.Length + nonceR.Length + 16];
        var span = data.AsSpan();
        label.CopyTo(span); span = span[label.Length..];
        nonceI.CopyTo(span); span = span[nonceI.Length..];
        nonceR.CopyTo(span); span = span[nonceR.Length..];
        BinaryPrimitives.WriteInt64BigEndian(span, uidI);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], uidR);
        return HMACSHA256.HashData(key, data);
    }

    public static bool Verify(byte[] expected, ReadOnlySpan<byte> actual) =>
        CryptographicOperations.FixedTimeEquals(expected, actual);
}
