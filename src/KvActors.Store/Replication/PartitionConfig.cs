namespace KvActors.Store.Replication;

/// <summary>
/// One partition's replica set as the configuration manager published it. <see cref="InSync"/> are the backups that
/// must acknowledge every write (the primary is not listed in it); <see cref="Learners"/> receive every write but do not
/// count until they have caught up and the manager moves them into <see cref="InSync"/> in a later epoch.
/// </summary>
/// <remarks>The ring model keeps the same facts for every partition; this is the replication core's own view of one.</remarks>
public sealed record PartitionConfig(long Epoch, string Primary, IReadOnlyList<string> InSync, IReadOnlyList<string> Learners)
{
    /// <summary>The primary, then the in-sync replicas, then the learners.</summary>
    public IEnumerable<string> Members => InSync.Prepend(Primary).Concat(Learners);

    public bool IsMember(string node) => node == Primary || InSync.Contains(node) || Learners.Contains(node);

    public override string ToString() =>
        $"epoch {Epoch}: primary {Primary}, in-sync [{string.Join(", ", InSync)}], learners [{string.Join(", ", Learners)}]";
}
