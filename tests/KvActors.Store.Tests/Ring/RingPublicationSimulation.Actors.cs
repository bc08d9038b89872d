using KvActors.Store.Partitioning;
using KvActors.Store.Ring;

namespace KvActors.Store.Tests.Ring;

/// <summary>The simulated nodes, keepers and managers of <see cref="RingPublicationSimulation"/>.</summary>
internal sealed partial class RingPublicationSimulation
{
    /// <summary>What a keeper tells a manager (LastRingReply): its newest stored ring and that ring's ballot, its promise.</summary>
    internal sealed record KeeperReport(RingState? Ring, RingBallot RingBallot, RingBallot Promised, RingBallot? Answers, bool Refused,
        IReadOnlyList<IReadOnlyCollection<NodeId>> Replaces);

    private sealed class Keeper(RingState? applied, RingAcceptor acceptor)
    {
        public RingState? Applied { get; set; } = applied;
        public RingAcceptor Acceptor { get; } = acceptor;

        public KeeperReport Report(RingBallot? answers, bool refused) => new(
            Acceptor.Accepted ?? Applied,
            Acceptor.Accepted is null ? Acceptor.AppliedBallot : Acceptor.AcceptedBallot,
            Acceptor.Promised, answers, refused, Acceptor.AcceptedReplaces);
    }

    /// <summary>A node's files: written before every answer, read back whole at start.</summary>
    private sealed class Disk
    {
        private RingState? _applied, _accepted;
        private RingBallot _appliedBallot = RingBallot.None, _promised = RingBallot.None, _acceptedBallot = RingBallot.None;
        private IReadOnlyList<IReadOnlyCollection<NodeId>> _acceptedReplaces = [];

        public void Save(Keeper keeper)
        {
            _applied = keeper.Applied;
            _appliedBallot = keeper.Acceptor.AppliedBallot;
            _promised = keeper.Acceptor.Promised;
            _accepted = keeper.Acceptor.Accepted;
            _acceptedBallot = keeper.Acceptor.AcceptedBallot;
            _acceptedReplaces = keeper.Acceptor.AcceptedReplaces;
        }

        public Keeper Load() => new(_applied, new RingAcceptor(_applied?.Epoch ?? -1, _appliedBallot, _promised, _accepted, _acceptedBallot, _acceptedReplaces));
    }

    private sealed class Node(NodeId id)
    {
        public NodeId Id { get; } = id;
        public bool Alive { get; set; }
        public int Incarnation { get; set; }
        /// <summary>The incarnation that was removed from the cluster (its messages are dropped); 0: none.</summary>
        public int Quarantined { get; set; }
        public Disk Disk { get; } = new();
        public Keeper Keeper { get; set; } = null!;
        public RingState? Applied => Keeper?.Applied;
    }

    private sealed class Manager(RingPublicationSimulation sim, int id, Node host)
    {
        public int Id { get; } = id;
        public Node Host { get; } = host;
        public bool Stopped { get; set; }
        public RingManagerCore Core { get; } = new(Options, sim.Now);
        public RingPublisher Publisher { get; } = new(host.Id, Republish);
        // The members' keepers it sends to: its view, kept once its node is removed (the minority side's stale view).
        private IReadOnlyCollection<NodeId> Members => Core.UpMembers;

        public void Handle(RingOutcome outcome)
        {
            if (outcome.Publish is { } ring)
            {
                sim.Log($"manager {Id}: {outcome.Note}");
                Publisher.NewRing(ring, Core.FormedFrom);
            }
        }

        public void OnTick()
        {
            Handle(Core.Tick(sim.Now));
            Send(Publisher.Tick(sim.Now, Core.UpMembers, Members.ToList(), Core.IsFormed, Core.AwaitingReports, out _));
        }

        public void OnLastRing(NodeId node, KeeperReport report)
        {
            switch (Publisher.Heard(report.Promised, report.Refused, report.Answers ?? RingBallot.None, Core.IsFormed))
            {
                case LastRingVerdict.Superseded:
                    sim.Supersessions++;
                    sim.Log($"manager {Id} superseded by {report.Promised} (told by {node})");
                    Core.Recollect(sim.Now);
                    Send(Publisher.Supersede(report.Promised, Members.ToList(), sim.Now));
                    break;
                case LastRingVerdict.Report:
                    Handle(Core.LastRingReported(node, report.Ring, sim.Now, report.RingBallot, report.Replaces));
                    break;
            }
        }

        public void OnAccepted(NodeId node, long epoch) => Send(Publisher.Accepted(node, epoch, Core.UpMembers, Members.ToList(), sim.Now));

        public void Send(List<RingCommand> commands)
        {
            var published = Publisher.Published;
            foreach (var command in commands)
            {
                if (command.Kind == RingCommandKind.Propose) sim.OnProposed(this, command.Ring!, command.Ballot);
                sim.ToKeeper(this, command);
            }
            if (published is not null && commands.Any(c => c.Kind == RingCommandKind.Publish && ReferenceEquals(c.Ring, published)))
                sim.OnChosen(this, published, Publisher.PublishedBallot);
        }
    }
}
