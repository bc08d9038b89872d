namespace KvActors.Store.Replication;

/// <summary>A message from the configuration manager to a node.</summary>
public abstract record ManagerMessage;

/// <summary>The partition's current configuration.</summary>
public sealed record ConfigUpdate(PartitionConfig Config) : ManagerMessage;

/// <summary>"Stop granting the primary of <paramref name="Epoch"/> a lease and tell me your log end": the first step of a failover.</summary>
public sealed record RevokeLease(long Epoch) : ManagerMessage;
