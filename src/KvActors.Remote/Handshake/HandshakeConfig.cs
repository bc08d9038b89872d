using System.Security.Cryptography;
using System.Text;

namespace KvActors.Remote.Handshake;

/// <summary>What both handshake roles need: who we are, the shared secret, a nonce source, the quarantine list.</summary>
public sealed class HandshakeConfig
{
    public const uint ProtocolVersion = 1;
    public const int NonceSize = 32;

    public HandshakeConfig(UniqueAddress local, string secret, RandomNumberGenerator rng, Func<UniqueAddress, bool>? isQuarantined = null)
    {
        Local = local;
        SecretKey = Encoding.UTF8.GetBytes(secret);
        Rng = rng;
        IsQuarantined = isQuarantined ?? (_ => false);
    }

    public UniqueAddress Local { get; }
    internal byte[] SecretKey { get; }
    public RandomNumberGenerator Rng { get; }
    public Func<UniqueAddress, bool> IsQuarantined { get; }
    /// <summary>Version this side speaks; a setter for tests of version mismatch.</summary>
    public uint Version { get; init; } = ProtocolVersion;

    internal byte[] NewNonce()
    {
        var n = new byte[NonceSize];
        Rng.GetBytes(n);
        return n;
    }
}
