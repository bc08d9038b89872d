using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// A keeper's side of the ring's two-phase publication, pure: its promise (the highest <see cref="RingBallot"/> it
/// answered), the newest proposed ring it accepted and has not applied, and the epoch it applied.
/// <list type="bullet">
/// <item><see cref="Prepare"/> (a manager collecting the members' rings): promised unless a higher ballot was.</item>
/// <item><see cref="Accept"/> (a proposal): refused below the promise, at or below the applied epoch, below the accepted
/// epoch, or at the accepted epoch with another ring unless under a higher ballot (the higher ballot's manager heard a
/// majority first, so the ring it replaces was never chosen).</item>
/// <item><see cref="Applied"/>: a published ring, chosen under a ballot a majority promised, so it is promised here
/// too; an accepted ring at or below it is done with.</item>
/// </list>
/// </summary>
public sealed class RingAcceptor(long appliedEpoch, RingBallot appliedBallot, RingBallot promised, RingState? accepted, RingBallot acceptedBallot,
    IReadOnlyList<IReadOnlyCollection<NodeId>>? acceptedReplaces = null)
{
    private long _appliedEpoch = appliedEpoch;

    /// <summary>The ballot the applied ring was chosen under (None: unknown, a ring from before ballots).</summary>
    public RingBallot AppliedBallot { get; private set; } = appliedBallot;

    public RingBallot Promised { get; private set; } = promised > appliedBallot ? promised : appliedBallot;

    /// <summary>The newest accepted ring above the applied epoch; null when none.</summary>
    public RingState? Accepted { get; private set; } = accepted is { } a && a.Epoch > appliedEpoch ? a : null;

    public RingBallot AcceptedBallot { get; private set; } = accepted is { } b && b.Epoch > appliedEpoch ? acceptedBallot : RingBallot.None;

    /// <summary>The nodes of the rings the accepted ring replaces, as proposed (reported with it; see <see cref="RingProposal"/>).</summary>
    public IReadOnlyList<IReadOnlyCollection<NodeId>> AcceptedReplaces { get; private set; } =
        accepted is { } c && c.Epoch > appliedEpoch ? acceptedReplaces ?? [] : [];

    /// <summary>True (and promised) when <paramref name="ballot"/> is at or above the promise; false when a higher one was promised.</summary>
    public bool Prepare(RingBallot ballot)
    {
        if (ballot < Promised) return false;
        Promised = ballot;
        return true;
    }

    /// <summary>Whether the proposal is accepted (it is then the accepted ring, and its ballot the promise).</summary>
    public bool Accept(RingBallot ballot, RingState ring, IReadOnlyList<IReadOnlyCollection<NodeId>>? replaces = null)
    {
        if (ballot < Promised || ring.Epoch <= _appliedEpoch) return false;
        if (Accepted is { } current
            && (ring.Epoch < current.Epoch || (ring.Epoch == current.Epoch && !ring.Equals(current) && ballot <= AcceptedBallot)))
            return false;
        Promised = ballot;
        Accepted = ring;
        AcceptedBallot = ballot;
        AcceptedReplaces = replaces ?? [];
        return true;
    }

    /// <summary>A ring at <paramref name="epoch"/>, chosen under <paramref name="ballot"/>, was applied.</summary>
    public void Applied(long epoch, RingBallot ballot)
    {
        if (epoch <= _appliedEpoch) return;
        _appliedEpoch = epoch;
        AppliedBallot = ballot;
        if (ballot > Promised) Promised = ballot;
        if (Accepted is { } current && current.Epoch <= _appliedEpoch)
        {
            Accepted = null;
            AcceptedBallot = RingBallot.None;
            AcceptedReplaces = [];
        }
    }
}
