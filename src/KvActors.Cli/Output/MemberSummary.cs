using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Output;

/// <summary>
/// What an operator looks for first after a crash or a leave: the members that are not Up and reachable, and those
/// removed lately, named in one line under `kv cluster show` and STATUS (null when every member is Up and reachable).
/// </summary>
public static class MemberSummary
{
    public static string? Line(ClusterShowResponse show)
    {
        ArgumentNullException.ThrowIfNull(show);
        var parts = new List<string>();
        var unreachable = show.Members.Where(m => !m.Reachable).OrderBy(m => m.Address, StringComparer.Ordinal).ToList();
        Add(parts, unreachable, "unreachable", m =>
            Join(m.Status == "Up" ? null : m.Status, m.UnreachableForMs > 0 ? "for " + Units.Elapsed(m.UnreachableForMs) : null));
        var reachable = show.Members.Where(m => m.Reachable).OrderBy(m => m.Address, StringComparer.Ordinal).ToList();
        Add(parts, reachable.Where(m => m.Status is "Leaving" or "Exiting").ToList(), "leaving", m => m.Status);
        Add(parts, reachable.Where(m => m.Status == "Down").ToList(), "down", _ => null);
        Add(parts, reachable.Where(m => m.Status is "Joining" or "WeaklyUp").ToList(), "joining", m => m.Status);
        Add(parts, show.Removed.ToList(), "removed recently", r =>
            Join(r.PreviousStatus.Length == 0 ? null : "was " + r.PreviousStatus, Units.Elapsed(r.RemovedAgoMs) + " ago"));
        return parts.Count == 0 ? null : string.Join("; ", parts) + ".";
    }

    /// <summary>The status column: Akka's status, or for a removed member "Removed" with how long ago.</summary>
    public static string RemovedStatus(RemovedMemberInfo r) => $"Removed {Units.Elapsed(r.RemovedAgoMs)} ago";

    /// <summary>The reachability column: yes, or NO with how long this node has seen the member unreachable.</summary>
    public static string Reachability(MemberInfo m) =>
        m.Reachable ? "yes" : m.UnreachableForMs > 0 ? $"NO ({Units.Elapsed(m.UnreachableForMs)})" : "NO";

    private static void Add<T>(List<string> parts, IReadOnlyList<T> members, string what, Func<T, string?> detail)
        where T : class
    {
        if (members.Count == 0) return;
        var names = members.Select(m =>
        {
            var address = m switch { MemberInfo i => i.Address, RemovedMemberInfo r => r.Address, _ => "" };
            return detail(m) is { Length: > 0 } d ? $"{address} ({d})" : address;
        });
        parts.Add($"{members.Count} {(members.Count == 1 ? "member" : "members")} {what}: {string.Join(", ", names)}");
    }

    private static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join(", ", present);
    }
}
