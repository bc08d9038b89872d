namespace KvActors.Cluster;

/// <summary>
/// A status change the leader made: <see cref="Before"/> and <see cref="After"/> are the same uid;
/// a removal has <c>After.Status == Removed</c> (the member is then gone from the gossip).
/// </summary>
public sealed record MemberChange(Member Before, Member After)
{
    public MemberStatus From => Before.Status;
    public MemberStatus To => After.Status;
}
