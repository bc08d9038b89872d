namespace KvActors.Node.Admin;

/// <summary>
/// What the admin actor needs from the cluster layer. The node hosts one implementation:
/// <see cref="ClusterAdmin"/>, on top of the cluster extension.
/// Implementations must be thread-safe: the admin actor and event callbacks call in from pool threads.
/// Addresses are "host:port" of a member's remoting endpoint.
/// </summary>
public interface IClusterAdmin
{
    /// <summary>This node's current view: self, leader, members, singleton host.</summary>
    ClusterStatusView GetStatus();

    /// <summary>Asks the member at <paramref name="hostPort"/> to leave gracefully; null = accepted, else a one-sentence error.</summary>
    Task<string?> LeaveAsync(string hostPort);

    /// <summary>Marks the member at <paramref name="hostPort"/> Down; null = accepted, else a one-sentence error.</summary>
    Task<string?> DownAsync(string hostPort);

    /// <summary>Downs every member this node sees as unreachable; returns the addresses downed.</summary>
    Task<IReadOnlyList<string>> DownUnreachableAsync();

    /// <summary>
    /// Calls <paramref name="onEvent"/> for every cluster event from now on, starting with the
    /// current state as events (each member's MemberUp...), until the result is disposed.
    /// </summary>
    IDisposable SubscribeEvents(Action<ClusterEventView> onEvent);
}
