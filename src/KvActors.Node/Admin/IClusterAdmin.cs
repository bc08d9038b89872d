namespace KvActors.Node.Admin;

/// <summary>
/// What the admin actor needs from the cluster layer: <see cref="ClusterAdmin"/> implements it on
/// Akka.Cluster. Implementations must be thread-safe. Addresses are "host:port" of a member.
/// </summary>
public interface IClusterAdmin
{
    /// <summary>This node's current view: self, leader, members, singleton host.</summary>
    ClusterStatusView GetStatus();

    /// <summary>Asks the member at <paramref name="hostPort"/> to leave gracefully; null = accepted, else a one-sentence error.</summary>
    Task<string?> LeaveAsync(string hostPort);

    /// <summary>Marks the member at <paramref name="hostPort"/> Down; null = accepted, else a one-sentence error.</summary>
    Task<string?> DownAsync(string hostPort);

    /// <summary>Joins this node to the cluster of the node at <paramref name="hostPort"/>; null = sent, else a one-sentence error.</summary>
    Task<string?> JoinAsync(string hostPort);

    /// <summary>Downs every member this node sees as unreachable; returns the addresses downed.</summary>
    Task<IReadOnlyList<string>> DownUnreachableAsync();

    /// <summary>
    /// Calls <paramref name="onEvent"/> for every cluster event from now on, starting with the
    /// current state as events (each member's MemberUp...), until the result is disposed.
    /// </summary>
    IDisposable SubscribeEvents(Action<ClusterEventView> onEvent);
}
