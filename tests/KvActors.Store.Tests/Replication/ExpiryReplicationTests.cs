using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// Commands are evaluated once at the primary against the latest value and replicated as their result; expiry is
/// replicated with values, hidden from every read, and deleted by the primary through the log.
/// </summary>
public class ExpiryReplicationTests
{
    private static readonly PartitionConfig Epoch1 = Config(1, "p", ["a", "b"]);
    private const long Wall = 1_700_000_000_000;
    private const int Limit = 1 << 20;

    private static Dictionary<string, PartitionReplica> Established()
    {
        var replicas = Cluster(Epoch1);
        Settle(replicas["p"].Tick(20), replicas, 20);
        return replicas;
    }

    private static List<ReplicaEffect> Command(Dictionary<string, PartitionReplica> r, long n, KvCommand command, long now, long wall = Wall) =>
        Settle(r["p"].OnClientCommand(Req(n), command, now, wall, Limit), r, now);

    private static ReadDone Read(PartitionReplica replica, string key, long now, long wall, ReadMode mode = ReadMode.Leased) =>
        replica.OnClientRead(Req(900 + now), B(key), mode, now, wall).Replies<ReadDone>().Single();

    [Fact]
    public void An_expiry_set_at_the_primary_is_held_by_every_replica()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v"), Expiry: Expiry.After(5_000)), 30);
        Command(r, 2, new SetCommand(B("j"), B("w")), 31);
        Settle(r["p"].Tick(40), r, 40); // carries the commit point to the backups

        foreach (var replica in r.Values)
        {
            replica.State.ExpiryOf(B("k")).Should().Be(Wall + 5_000, $"{replica.Self} applied the primary's absolute expiry");
            replica.State.ExpiryOf(B("j")).Should().Be(0);
        }
    }

    [Fact]
    public void Increments_in_flight_add_up_because_each_is_evaluated_against_the_prepared_tail()
    {
        var r = Established();
        var p = r["p"];
        // Three increments prepared before any commits: each must see the one before it.
        var first = p.OnClientCommand(Req(1), new IncrementCommand(B("n"), 1), 30, Wall, Limit);
        var second = p.OnClientCommand(Req(2), new IncrementCommand(B("n"), 10), 30, Wall, Limit);
        var third = p.OnClientCommand(Req(3), new IncrementCommand(B("n"), 100), 30, Wall, Limit);
        p.CommitPoint.Should().Be(0);

        var done = Settle(first.Concat(second).Concat(third), r, 31).Replies<WriteDone>().ToList();
        done.Select(d => d.Outcome!.Number).Should().Equal(1L, 11L, 111L);
        S(p.State.Get(B("n"))).Should().Be("111");
    }

    [Fact]
    public void A_failed_condition_is_logged_as_a_noop_and_answered_in_log_order()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("first"), SetCondition.IfAbsent), 30);
        var effects = Command(r, 2, new SetCommand(B("k"), B("second"), SetCondition.IfAbsent), 31);

        effects.Replies<WriteDone>().Single().Outcome!.Applied.Should().BeFalse();
        r["p"].Log[2].Operation.Kind.Should().Be(KvOperationKind.Noop);
        S(r["p"].State.Get(B("k"))).Should().Be("first");
    }

    [Fact]
    public void A_retry_after_failover_gets_the_answer_the_old_primary_computed()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v1")), 30);
        // GETSET prepared everywhere, but p dies before answering: the new primary must not evaluate it again.
        Settle(r["p"].OnClientCommand(Req(2), new SetCommand(B("k"), B("v2"), ReturnOld: true), 40, Wall, Limit), r, 40);
        r.Remove("p");
        var epoch2 = Config(2, "a", ["b"]);
        r["b"].OnConfig(epoch2, 1_000);
        Settle(r["a"].OnConfig(epoch2, 1_000), r, 1_000);

        var retry = r["a"].OnClientCommand(Req(2), new SetCommand(B("k"), B("v2"), ReturnOld: true), 1_100, Wall, Limit);
        var answer = retry.Replies<WriteDone>().Single();
        S(answer.Outcome!.Value).Should().Be("v1", "the first evaluation saw v1");
        r["a"].LastSeq.Should().Be(2, "a retry is never logged again");
    }

    [Fact]
    public void No_read_path_returns_an_expired_value()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Wall + 100)), 30);
        Settle(r["p"].Tick(60), r, 60); // the heartbeat carries the commit point to the backups

        var before = Read(r["p"], "k", 61, Wall + 99);
        (S(before.Value), before.ExpiresAtMs).Should().Be(("v", Wall + 100));
        Read(r["a"], "k", 62, Wall + 99, ReadMode.Stale).ExpiresAtMs.Should().Be(Wall + 100);
        Read(r["p"], "k", 63, Wall + 100).Value.Should().BeNull("the primary hides it at its expiry");
        Read(r["a"], "k", 64, Wall + 100, ReadMode.Stale).Value.Should().BeNull("a backup hides it too, though it still holds it");
        r["a"].State.Get(B("k")).Should().NotBeNull();
    }

    [Fact]
    public void The_primary_deletes_an_expired_key_on_access_through_the_log()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Wall + 100)), 30, Wall);
        var access = r["p"].OnClientRead(Req(5), B("k"), ReadMode.Leased, 50, Wall + 200);
        access.Replies<ReadDone>().Single().Value.Should().BeNull();
        access.Appended().Should().ContainSingle().Which.Operation.Should().Be(KvOperation.Delete(B("k")));
        Settle(access, r, 50);
        Settle(r["p"].Tick(80, Wall + 200), r, 80);
        foreach (var replica in r.Values)
            replica.State.Get(B("k")).Should().BeNull($"{replica.Self} applied the replicated delete");
    }

    [Fact]
    public void Active_expiry_deletes_a_bounded_number_of_due_keys_per_tick_soonest_first()
    {
        var settings = Settings with { ExpiryDeletesPerTick = 3, MaxUncommitted = 100 };
        var r = Cluster(Epoch1, settings: settings);
        Settle(r["p"].Tick(20), r, 20);
        for (var i = 0; i < 5; i++)
            Settle(r["p"].OnClientCommand(Req(i + 1), new SetCommand(B($"k{i}"), B("v"), Expiry: Expiry.At(Wall + 10 + i)), 30, Wall, Limit), r, 30);
        Settle(r["p"].OnClientWrite(Req(10), Put("plain", "v"), 30, Wall), r, 30);

        r["p"].Tick(40, Wall + 5).Appended().Should().BeEmpty("nothing is due yet");
        var first = r["p"].Tick(41, Wall + 100);
        first.Appended().Select(e => S(e.Operation.Key)).Should().Equal("k0", "k1", "k2");
        first.Appended().Should().OnlyContain(e => e.Operation.Kind == KvOperationKind.Delete && e.Request.IsStore);
        Settle(first, r, 41);
        var second = r["p"].Tick(42, Wall + 100);
        second.Appended().Select(e => S(e.Operation.Key)).Should().Equal("k3", "k4");
        Settle(second, r, 42);
        Settle(r["p"].Tick(70, Wall + 100), r, 70); // the heartbeat carries the commit point to the backups

        foreach (var replica in r.Values)
        {
            replica.State.Count.Should().Be(1, $"{replica.Self} keeps only the key without expiry");
            replica.State.ExpiringCount.Should().Be(0);
        }
        r["p"].Tick(71, Wall + 100).Appended().Should().BeEmpty();
    }

    [Fact]
    public void A_key_rewritten_in_the_prepared_tail_is_not_deleted_by_active_expiry()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Wall + 10)), 30);
        // A new value without expiry is prepared (not committed) when the old one comes due.
        var rewrite = r["p"].OnClientWrite(Req(2), Put("k", "new"), 40, Wall);
        r["p"].Tick(41, Wall + 100).Appended().Should().BeEmpty();
        Settle(rewrite, r, 42);
        S(r["p"].State.GetLive(B("k"), Wall + 100)?.Value).Should().Be("new");
    }

    [Fact]
    public void A_snapshot_carries_expiries_and_command_answers()
    {
        var r = Established();
        Command(r, 1, new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Wall + 500)), 30);
        Command(r, 2, new IncrementCommand(B("n"), 7), 31);
        Settle(r["p"].Tick(60), r, 60);

        var restored = KeyValueState.FromSnapshot(r["a"].State.Snapshot(1), Settings);
        restored.ExpiryOf(B("k")).Should().Be(Wall + 500);
        restored.ExpiryIndex.Should().ContainSingle();
        restored.TryGetAnswer(Req(2), out var answer).Should().BeTrue();
        answer.Outcome!.Number.Should().Be(7);
    }
}
