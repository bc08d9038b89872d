using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// A RingManager's ballot, as in Paxos: a round and the manager's node, ordered by round, then node (ordinal). Each
/// manager collects the members' rings under a ballot above any it has seen, and keepers that answered it (promised)
/// accept no proposal of a lower one. So once a new manager has heard from a majority, an older manager still running
/// somewhere (a singleton on the far side of a partition, or one the split-brain resolver has not stopped yet) can get
/// no ring chosen, and every ring it did get chosen is among those the new manager heard of.
/// </summary>
public readonly record struct RingBallot(long Round, string Node) : IComparable<RingBallot>
{
    /// <summary>Below every manager's ballot: a keeper that has promised nothing.</summary>
    public static readonly RingBallot None = new(0, "");

    public int CompareTo(RingBallot other) =>
        Round != other.Round ? Round.CompareTo(other.Round) : string.CompareOrdinal(Node ?? "", other.Node ?? "");

    public static bool operator <(RingBallot a, RingBallot b) => a.CompareTo(b) < 0;
    public static bool operator >(RingBallot a, RingBallot b) => a.CompareTo(b) > 0;
    public static bool operator <=(RingBallot a, RingBallot b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RingBallot a, RingBallot b) => a.CompareTo(b) >= 0;

    /// <summary>The smallest ballot of <paramref name="node"/> above this one.</summary>
    public RingBallot Above(string node) => new(Round + 1, node);

    public Ballot ToProto() => new() { Round = Round, Node = Node ?? "" };

    public static RingBallot FromProto(Ballot? ballot) => ballot is null ? None : new RingBallot(Math.Max(0, ballot.Round), ballot.Node ?? "");

    public override string ToString() => $"{Round}/{Node}";
}
