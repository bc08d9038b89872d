using KvActors.Actor;
using KvActors.Cluster.Tools.Singleton;
using KvActors.Remote;
using A = KvActors.Cluster.Tools.Singleton.SingletonAction;

namespace KvActors.Cluster.Tools.Tests;

public sealed class SingletonDeciderTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    internal static UniqueAddress Node(int i) => new(Address.Tcp("kv", "127.0.0.1", 2550 + i), i + 1);

    /// <summary>Node i, Up with upNumber i (lower = older).</summary>
    internal static Member Up(int i, params string[] roles) =>
        Member.Create(Node(i), roles) with { Status = MemberStatus.Up, UpNumber = i };

    private static Member With(Member m, MemberStatus s) => m with { Status = s };

    private static SingletonDecider Decider(int self, string? role = null) => new(Node(self), role, Margin);

    [Fact]
    public void The_oldest_starts_the_singleton_at_once_when_nobody_was_before_it()
    {
        var d = Decider(1);
        d.Initialize([Up(1), Up(2), Up(3)], 0).Should().Equal(new A.StartSingleton());
        d.State.Should().Be(SingletonState.Oldest);
        d.SingletonRunning.Should().BeTrue();
    }

    [Fact]
    public void A_younger_member_does_not_start_it_and_answers_HandOverToMe_with_done()
    {
        var d = Decider(2);
        d.Initialize([Up(1), Up(2)], 0).Should().BeEmpty();
        d.State.Should().Be(SingletonState.Younger);
        d.Oldest.Should().Be(Node(1).Address);
        d.OnHandOverToMe(Node(3).Address, 10).Should().Equal(new A.SendHandOverDone(Node(3).Address));
    }

    [Fact]
    public void Age_ordering_uses_up_number_not_address()
    {
        var d = Decider(1);
        var old3 = Up(3) with { UpNumber = 0 };
        d.Initialize([Up(1), old3], 0).Should().BeEmpty();
        d.Oldest.Should().Be(Node(3).Address);
    }

    [Fact]
    public void Graceful_hand_over_when_the_oldest_leaves()
    {
        var old = Decider(1);
        var next = Decider(2);
        old.Initialize([Up(1), Up(2)], 0);
        next.Initialize([Up(1), Up(2)], 0);

        // Both see node 1 Leaving: it is no longer an Up member.
        var left = new MemberLeft(With(Up(1), MemberStatus.Leaving));
        old.OnMemberEvent(left, 100).Should().Equal(new A.SendTakeOverFromMe(Node(2).Address));
        old.State.Should().Be(SingletonState.WasOldest);
        old.SingletonRunning.Should().BeTrue();

        next.OnMemberEvent(left, 100).Should().Equal(new A.SendHandOverToMe(Node(1).Address));
        next.State.Should().Be(SingletonState.BecomingOldest);
        next.PreviousOldest.Should().Be(Node(1).Address);

        // Retries until done.
        next.OnTick(200).Should().Equal(new A.SendHandOverToMe(Node(1).Address));
        old.OnTick(200).Should().Equal(new A.SendTakeOverFromMe(Node(2).Address));

        old.OnHandOverToMe(Node(2).Address, 300).Should().Equal(new A.StopSingleton());
        old.State.Should().Be(SingletonState.HandingOver);
        old.OnHandOverToMe(Node(2).Address, 350).Should().Equal(new A.SendHandOverInProgress(Node(2).Address));
        next.OnTick(360).Should().NotContain(a => a is A.StartSingleton);

        old.OnSingletonTerminated(400).Should().Equal(new A.SendHandOverDone(Node(2).Address));
        old.SingletonRunning.Should().BeFalse();
        old.State.Should().Be(SingletonState.Younger);

        next.OnHandOverDone(Node(3).Address, 450).Should().BeEmpty("only the previous oldest's HandOverDone counts");
        next.OnHandOverDone(Node(1).Address, 500).Should().Equal(new A.StartSingleton());
        next.State.Should().Be(SingletonState.Oldest);
    }

    [Fact]
    public void A_leaving_oldest_that_reaches_Exiting_without_a_request_stops_the_singleton_itself()
    {
        var old = Decider(1);
        old.Initialize([Up(1), Up(2)], 0);
        old.OnMemberEvent(new MemberLeft(With(Up(1), MemberStatus.Leaving)), 10);
        old.OnMemberEvent(new MemberExited(With(Up(1), MemberStatus.Exiting)), 20).Should().Equal(new A.StopSingleton());
        old.State.Should().Be(SingletonState.HandingOver);
        old.OnSingletonTerminated(30).Should().Equal(new A.SendHandOverDone(Node(2).Address));
        old.State.Should().Be(SingletonState.End);
        old.OnHandOverToMe(Node(2).Address, 40).Should().Equal(new A.SendHandOverDone(Node(2).Address));
    }

    [Fact]
    public void The_last_member_leaving_stops_its_singleton()
    {
        var d = Decider(1);
        d.Initialize([Up(1)], 0);
        d.OnMemberEvent(new MemberLeft(With(Up(1), MemberStatus.Leaving)), 10).Should().BeEmpty();
        d.State.Should().Be(SingletonState.WasOldest);
        d.NewOldest.Should().BeNull();
        d.OnMemberEvent(new MemberExited(With(Up(1), MemberStatus.Exiting)), 20).Should().Equal(new A.StopSingleton());
        d.OnSingletonTerminated(30).Should().BeEmpty();
        d.State.Should().Be(SingletonState.End);
    }

    [Fact]
    public void After_a_crash_the_new_oldest_starts_only_after_removal_plus_margin()
    {
        var d = Decider(2);
        d.Initialize([Up(1), Up(2), Up(3)], 0);
        d.OnMemberEvent(new MemberDowned(With(Up(1), MemberStatus.Down)), 1000).Should().Equal(new A.SendHandOverToMe(Node(1).Address));
        d.State.Should().Be(SingletonState.BecomingOldest);
        d.OnTick(5000).Should().Equal(new A.SendHandOverToMe(Node(1).Address)); // downed, not yet removed: keep waiting
        d.OnMemberEvent(new MemberRemoved(With(Up(1), MemberStatus.Removed), MemberStatus.Down), 6000).Should().BeEmpty();
        d.OnTick(6999).Should().NotContain(a => a is A.StartSingleton);
        d.State.Should().Be(SingletonState.BecomingOldest);
        d.OnTick(7000).Should().Equal(new A.StartSingleton());
        d.State.Should().Be(SingletonState.Oldest);
    }

    [Fact]
    public void A_member_removed_before_it_became_non_up_in_our_view_still_needs_the_margin()
    {
        var d = Decider(2);
        d.Initialize([Up(1), Up(2)], 0);
        d.OnMemberEvent(new MemberRemoved(With(Up(1), MemberStatus.Removed), MemberStatus.Down), 100)
            .Should().Equal(new A.SendHandOverToMe(Node(1).Address));
        d.OnTick(1099).Should().NotContain(a => a is A.StartSingleton);
        d.OnTick(1100).Should().Contain(new A.StartSingleton());
    }

    [Fact]
    public void A_first_state_showing_an_older_leaving_member_waits_for_it()
    {
        var d = Decider(2);
        d.Initialize([With(Up(1), MemberStatus.Leaving), Up(2)], 0).Should().Equal(new A.SendHandOverToMe(Node(1).Address));
        d.State.Should().Be(SingletonState.BecomingOldest);
        d.OnHandOverDone(Node(1).Address, 10).Should().Equal(new A.StartSingleton());
    }

    [Fact]
    public void TakeOverFromMe_redirects_a_becoming_oldest_to_the_node_that_runs_it()
    {
        var d = Decider(2);
        d.Initialize([Up(1), Up(2)], 0);
        d.OnMemberEvent(new MemberLeft(With(Up(1), MemberStatus.Leaving)), 10);
        d.OnTakeOverFromMe(Node(5).Address, 20).Should().Equal(new A.SendHandOverToMe(Node(5).Address));
        d.PreviousOldest.Should().Be(Node(5).Address);
        d.OnHandOverDone(Node(1).Address, 30).Should().BeEmpty();
        d.OnHandOverDone(Node(5).Address, 40).Should().Equal(new A.StartSingleton());
    }

    [Fact]
    public void An_oldest_ignores_HandOverToMe_until_its_own_view_says_it_is_no_longer_oldest()
    {
        var d = Decider(1);
        d.Initialize([Up(1), Up(2)], 0);
        d.OnHandOverToMe(Node(2).Address, 10).Should().BeEmpty();
        d.SingletonRunning.Should().BeTrue();
    }

    [Fact]
    public void A_becoming_oldest_falls_back_to_younger_when_an_older_member_appears()
    {
        var d = Decider(2);
        d.Initialize([Up(1), Up(2)], 0);
        d.OnMemberEvent(new MemberLeft(With(Up(1), MemberStatus.Leaving)), 10);
        d.State.Should().Be(SingletonState.BecomingOldest);
        d.OnMemberEvent(new MemberUp(Up(0)), 20).Should().BeEmpty();
        d.State.Should().Be(SingletonState.Younger);
    }

    [Fact]
    public void Only_members_with_the_role_count()
    {
        var d = Decider(2, "ring");
        d.Initialize([Up(1), Up(2, "ring"), Up(3, "ring")], 0).Should().Equal(new A.StartSingleton());
        d.Oldest.Should().Be(Node(2).Address);
        var other = Decider(3, "ring");
        other.Initialize([Up(1), Up(2, "ring"), Up(3, "ring")], 0).Should().BeEmpty();
    }

    [Fact]
    public void At_most_one_runs_in_a_simulated_hand_over_chain()
    {
        // Three deciders see the same events; messages are delivered at once. Oldest leaves twice.
        var ds = new Dictionary<Address, SingletonDecider> { [Node(1).Address] = Decider(1), [Node(2).Address] = Decider(2), [Node(3).Address] = Decider(3) };
        var queue = new Queue<(Address From, A Action)>();
        long now = 0;
        void Run(Address from, IEnumerable<A> actions) { foreach (var a in actions) queue.Enqueue((from, a)); }
        void Drain()
        {
            while (queue.Count > 0)
            {
                var (from, a) = queue.Dequeue();
                switch (a)
                {
                    case A.StopSingleton: Run(from, ds[from].OnSingletonTerminated(now)); break;
                    case A.SendHandOverToMe s when ds.ContainsKey(s.To): Run(s.To, ds[s.To].OnHandOverToMe(from, now)); break;
                    case A.SendHandOverDone s when ds.ContainsKey(s.To): Run(s.To, ds[s.To].OnHandOverDone(from, now)); break;
                    case A.SendTakeOverFromMe s when ds.ContainsKey(s.To): Run(s.To, ds[s.To].OnTakeOverFromMe(from, now)); break;
                }
                ds.Values.Count(d => d.SingletonRunning).Should().BeLessThanOrEqualTo(1);
            }
        }
        foreach (var (a, d) in ds) Run(a, d.Initialize([Up(1), Up(2), Up(3)], now));
        Drain();
        ds[Node(1).Address].SingletonRunning.Should().BeTrue();
        foreach (var leaver in new[] { 1, 2 })
        {
            var leaving = With(Up(leaver), MemberStatus.Leaving);
            foreach (var (a, d) in ds) Run(a, d.OnMemberEvent(new MemberLeft(leaving), now += 10));
            Drain();
            foreach (var (a, d) in ds) Run(a, d.OnMemberEvent(new MemberExited(With(Up(leaver), MemberStatus.Exiting)), now += 10));
            Drain();
            foreach (var (a, d) in ds) Run(a, d.OnMemberEvent(new MemberRemoved(With(Up(leaver), MemberStatus.Removed), MemberStatus.Exiting), now += 10));
            ds.Remove(Node(leaver).Address);
            Drain();
        }
        ds[Node(3).Address].SingletonRunning.Should().BeTrue();
        ds[Node(3).Address].State.Should().Be(SingletonState.Oldest);
    }

}
