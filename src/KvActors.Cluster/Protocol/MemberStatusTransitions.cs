namespace KvActors.Cluster;

/// <summary>Which status changes a member may make (Akka's state diagram).</summary>
public static class MemberStatusTransitions
{
    /// <summary>True when <paramref name="from"/> may change to <paramref name="to"/>; staying put is allowed.</summary>
    public static bool IsAllowed(MemberStatus from, MemberStatus to)
    {
        if (from == to) return true;
        return from switch
        {
            MemberStatus.Joining => to is MemberStatus.WeaklyUp or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed,
            MemberStatus.WeaklyUp => to is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed,
            MemberStatus.Up => to is MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed,
            MemberStatus.Leaving => to is MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed,
            MemberStatus.Exiting => to is MemberStatus.Removed or MemberStatus.Down,
            MemberStatus.Down => to is MemberStatus.Removed,
            _ => false,
        };
    }

    /// <summary>
    /// Merge precedence of two views of one member: Removed &gt; Down &gt; Exiting &gt; Leaving &gt; Up
    /// &gt; WeaklyUp &gt; Joining. Higher wins.
    /// </summary>
    public static int Precedence(MemberStatus status) => status switch
    {
        MemberStatus.Joining => 0,
        MemberStatus.WeaklyUp => 1,
        MemberStatus.Up => 2,
        MemberStatus.Leaving => 3,
        MemberStatus.Exiting => 4,
        MemberStatus.Down => 5,
        MemberStatus.Removed => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
