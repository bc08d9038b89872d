namespace KvActors.Cluster;

/// <summary>A member's lifecycle, Akka.Cluster's states (see <see cref="MemberStatusTransitions"/>).</summary>
public enum MemberStatus
{
    Joining,
    WeaklyUp,
    Up,
    Leaving,
    Exiting,
    Down,
    Removed,
}
