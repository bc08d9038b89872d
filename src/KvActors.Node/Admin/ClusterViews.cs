namespace KvActors.Node.Admin;

/// <summary>One node's view of the cluster, as `kv cluster show` prints it. Addresses are "host:port".</summary>
/// <param name="Self">The answering node.</param>
/// <param name="Leader">The leader as this node sees it; null when it knows none.</param>
/// <param name="Members">Every member this node knows, in any order.</param>
/// <param name="SingletonHost">Where the cluster singleton (RingManager) runs; null when none does.</param>
public sealed record ClusterStatusView(string Self, string? Leader, IReadOnlyList<MemberView> Members, string? SingletonHost);

/// <param name="Address">host:port of the member's remoting endpoint.</param>
/// <param name="Status">Joining, WeaklyUp, Up, Leaving, Exiting, Down or Removed (Akka.NET's MemberStatus names).</param>
/// <param name="Reachable">False when this node's failure detector considers the member unreachable.</param>
/// <param name="UpNumber">Rank by age among members that have been Up (1 = oldest); 0 before it is Up.</param>
/// <param name="Roles">The member's roles.</param>
public sealed record MemberView(string Address, string Status, bool Reachable, int UpNumber, IReadOnlyList<string> Roles);

/// <summary>One cluster event for `kv cluster tail`.</summary>
/// <param name="Kind">MemberUp, MemberLeft, MemberExited, MemberDowned, MemberRemoved, Unreachable, Reachable, LeaderChanged...</param>
/// <param name="Address">host:port of the member the event is about.</param>
/// <param name="Detail">Anything else worth a word (the previous status, the reason); null when nothing.</param>
public sealed record ClusterEventView(DateTimeOffset At, string Kind, string Address, string? Detail);
