using Google.Protobuf.Collections;
using KvActors.Store.Wire.Admin;

namespace KvActors.Node.Admin;

/// <summary>Turns the IClusterAdmin views into admin-protocol messages (the wire knows no nulls: "" means none).</summary>
internal static class AdminMessages
{
    /// <param name="history">Since when members are unreachable, and who was removed lately, as of <paramref name="now"/>.</param>
    public static ClusterShowResponse Show(ClusterStatusView status, MemberHistory history, DateTimeOffset now)
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
            if (!m.Reachable && history.UnreachableFor(m.Address, now) is { } unreachableFor)
                info.UnreachableForMs = Math.Max(1, (long)unreachableFor.TotalMilliseconds);
            response.Members.Add(info);
        }
        var current = status.Members.Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
        // A member removed but still in the state (seen as Removed) is shown there, not twice.
        foreach (var r in history.Removed(now).Where(r => !current.Contains(r.Address)))
            response.Removed.Add(new RemovedMemberInfo
            {
                Address = r.Address, PreviousStatus = r.PreviousStatus, RemovedAgoMs = Math.Max(0, (long)(now - r.RemovedAt).TotalMilliseconds),
            });
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
