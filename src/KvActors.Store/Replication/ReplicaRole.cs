namespace KvActors.Store.Replication;

/// <summary>What a node is for one partition in the epoch it has adopted.</summary>
public enum ReplicaRole
{
    /// <summary>No configuration adopted yet (new, or restarted and waiting for an epoch newer than its durable one).</summary>
    Waiting,

    /// <summary>The configuration does not list this node; it asks to join.</summary>
    NotMember,

    Primary,

    /// <summary>An in-sync backup: acknowledges every write, grants the primary its lease, may be promoted.</summary>
    InSync,

    /// <summary>Receives every write, does not count for commits until the manager moves it into the in-sync set.</summary>
    Learner,
}
