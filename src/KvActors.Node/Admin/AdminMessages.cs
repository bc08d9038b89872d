using Google.Protobuf.Collections;
using KvActors.Store.Wire.Admin;

namespace KvActors.Node.Admin;

/// <summary>Turns the IClusterAdmin views into admin-protocol messages (the wire knows no nulls: "" means none).</summary>
internal static class AdminMessages
{
    public static ClusterShowResponse Show(ClusterStatusView status)
    {
        var response = new ClusterShowResponse
        {
            Self = status.Self,
            Leader = status.Leader ?? "",
            SingletonHost = status.SingletonHost ?? "",
        };
        foreach (var m in status.Members)
        {
            var info = new MemberInfo { Address = m.Address, Status = m.Status, Reachable = m.Reachable, UpNumber = m.UpNumber };
            info.Roles.AddRange(m.Roles);
            response.Members.Add(info);
        }
        return response;
    }

    public static ClusterEventMessage Event(ClusterEventView e) => new()
    {
        AtUnixMs = e.At.ToUnixTimeMilliseconds(),
        Kind = e.Kind,
        Address = e.Address,
        Detail = e.Detail ?? "",
    };

    public static AdminResult Accepted(IEnumerable<string>? addresses = null)
    {
        var result = new AdminResult { Ok = true };
        if (addresses is not null) result.Addresses.AddRange(addresses);
        return result;
    }

    public static AdminResult Refused(string error) => new() { Ok = false, Error = error };

    public static AdminResult FromError(string? error) => error is null ? Accepted() : Refused(error);
}
