using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

public class KeyValueStateTests
{
    [Fact]
    public void A_request_applied_twice_takes_effect_once_and_keeps_its_first_answer()
    {
        var state = new KeyValueState(Settings);
        state.Apply(new LogEntry(1, 1, Req(1), Put("k", "a"))).Result.Existed.Should().BeFalse();
        state.Apply(new LogEntry(2, 1, Req(2), Put("k", "b")));
        var again = state.Apply(new LogEntry(3, 2, Req(1), Put("k", "a")));
        again.Should().Be(new CompletedRequest(Req(1), new WriteResult(false), 1));
        S(state.Get(B("k"))).Should().Be("b");
        state.AppliedThrough.Should().Be(3);
    }

    [Fact]
    public void A_snapshot_restores_values_and_answers()
    {
        var state = new KeyValueState(Settings);
        state.Apply(new LogEntry(1, 1, Req(1), Put("k", "a")));
        state.Apply(new LogEntry(2, 1, Req(2), Del("k")));
        state.Apply(new LogEntry(3, 1, Req(3), Put("j", "c")));
        var copy = KeyValueState.FromSnapshot(state.Snapshot(1), Settings);
        copy.AppliedThrough.Should().Be(3);
        copy.Get(B("k")).Should().BeNull();
        S(copy.Get(B("j"))).Should().Be("c");
        copy.TryGetAnswer(Req(2), out var answer).Should().BeTrue();
        answer.Result.Existed.Should().BeTrue();
    }

    [Fact]
    public void The_request_table_keeps_the_last_answers_per_client_and_evicts_the_least_recent_client()
    {
        var table = new RequestTable(perClient: 2, maxClients: 2);
        void Record(string client, long n) => table.Record(new CompletedRequest(Req(n, client), new WriteResult(false), n));
        Record("a", 1);
        Record("a", 2);
        Record("a", 3);
        table.TryGet(Req(1, "a"), out _).Should().BeFalse();
        table.TryGet(Req(3, "a"), out _).Should().BeTrue();
        Record("b", 1);
        Record("a", 4); // a is now the most recent
        Record("c", 1); // evicts b
        table.TryGet(Req(1, "b"), out _).Should().BeFalse();
        table.TryGet(Req(4, "a"), out _).Should().BeTrue();
        table.ClientCount.Should().Be(2);

        var rebuilt = new RequestTable(2, 2);
        foreach (var answer in table.Export())
            rebuilt.Record(answer);
        rebuilt.Export().Should().Equal(table.Export());
    }

    [Fact]
    public void Kept_answers_name_their_client_with_one_string_whatever_copy_each_request_brought()
    {
        var state = new KeyValueState(Settings);
        var first = state.Apply(new LogEntry(1, 1, new RequestId(new string("client-a".AsSpan()), 1), Put("k", "a")));
        // Later requests of the client arrive with their own copies of its id, as each is parsed from the wire.
        var second = state.Apply(new LogEntry(2, 1, new RequestId(new string("client-a".AsSpan()), 2), Put("k", "b")));
        ReferenceEquals(second.Request.ClientId, first.Request.ClientId).Should().BeTrue();
        second.Result.Existed.Should().BeTrue();

        var duplicate = state.Apply(new LogEntry(3, 2, new RequestId(new string("client-a".AsSpan()), 2), Put("k", "c")));
        duplicate.Should().Be(second, "a duplicate gets the kept answer, made again from its value");
        ReferenceEquals(duplicate.Request.ClientId, first.Request.ClientId).Should().BeTrue();
        S(state.Get(B("k"))).Should().Be("b");
    }

    [Fact]
    public void The_request_table_keeps_each_clients_highest_ids_so_what_it_forgot_is_known_from_what_it_kept()
    {
        var table = new RequestTable(perClient: 3, maxClients: 10);
        void Record(long n) => table.Record(new CompletedRequest(Req(n), new WriteResult(false), n));
        Record(5);
        Record(2);
        table.IsForgotten(Req(1)).Should().BeFalse("the window is not full: nothing was forgotten yet");
        Record(9);
        Record(7); // applied after 9 (the client's requests overtook each other): 2, the lowest, goes
        Record(1); // a late request below every kept id: kept for no time at all

        table.TryGet(Req(2), out _).Should().BeFalse();
        table.TryGet(Req(1), out _).Should().BeFalse();
        table.Export().Select(a => a.Request.Sequence).Should().Equal(5, 7, 9);
        table.IsForgotten(Req(2)).Should().BeTrue();
        table.IsForgotten(Req(4)).Should().BeTrue("below the lowest kept id of a full window");
        table.IsForgotten(Req(6)).Should().BeFalse("between kept ids: it never ran, or it would be kept");
        table.IsForgotten(Req(10)).Should().BeFalse();
        table.IsForgotten(Req(1, "other")).Should().BeFalse("a client never seen has nothing forgotten");

        var rebuilt = new RequestTable(3, 10);
        foreach (var answer in table.Export())
            rebuilt.Record(answer);
        rebuilt.IsForgotten(Req(4)).Should().BeTrue("a snapshot's kept answers give the same window");
        rebuilt.IsForgotten(Req(6)).Should().BeFalse();
    }
}
