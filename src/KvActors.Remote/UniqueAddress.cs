using KvActors.Actor;
using KvActors.Remote.Protocol;

namespace KvActors.Remote;

/// <summary>
/// An address plus the random uid its process drew at start: a restarted process at the same
/// host:port is a new incarnation, so quarantine and association identity are keyed by this.
/// </summary>
public sealed record UniqueAddress(Address Address, long Uid) : IComparable<UniqueAddress>
{
    /// <summary>A fresh non-zero uid (0 means "unknown" on the wire).</summary>
    public static long NewUid()
    {
        long uid;
        do uid = System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue) * (long)uint.MaxValue
                 ^ System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        while (uid == 0);
        return uid;
    }

    public int CompareTo(UniqueAddress? other)
    {
        if (other is null) return 1;
        var c = Address.CompareTo(other.Address);
        return c != 0 ? c : Uid.CompareTo(other.Uid);
    }

    public override string ToString() => $"{Address}#{Uid}";

    internal UniqueAddressData ToProto() => new() { Address = ToProto(Address), Uid = Uid };

    internal static AddressData ToProto(Address a) => new()
    {
        Protocol = a.Protocol, System = a.System, Host = a.Host ?? "", Port = (uint)(a.Port ?? 0),
    };

    internal static Address? FromProto(AddressData? a) =>
        a is null || a.System.Length == 0 || a.Protocol.Length == 0 || a.Port > 65535
            ? null
            : new Address(a.Protocol, a.System, a.Host.Length == 0 ? null : a.Host, a.Host.Length == 0 ? null : (int)a.Port);

    internal static UniqueAddress? FromProto(UniqueAddressData? u) =>
        u is null || u.Uid == 0 || FromProto(u.Address) is not { } a ? null : new UniqueAddress(a, u.Uid);
}
