namespace KvActors.Resp.Cluster;

/// <summary>The keys of the partitions this node leads (expired ones not yet deleted included, as Redis counts them), and how many have an expiry.</summary>
public readonly record struct KeyCounts(long Keys, long Expiring);
