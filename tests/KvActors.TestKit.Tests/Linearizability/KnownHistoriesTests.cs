using KvActors.TestKit.Linearizability;
using Xunit.Abstractions;
using static KvActors.TestKit.Linearizability.Operation;

namespace KvActors.TestKit.Tests.Linearizability;

/// <summary>The checker on small hand-written histories whose verdict is known. Times are [invoke, response].</summary>
public sealed class KnownHistoriesTests(ITestOutputHelper output)
{
    private const string K = "k";

    private CheckResult Check(params Operation[] history)
    {
        var result = LinearizabilityChecker.Check(history);
        output.WriteLine(result.Explanation);
        return result;
    }

    private void Linearizable(params Operation[] history)
    {
        var r = Check(history);
        r.Outcome.Should().Be(CheckOutcome.Linearizable, r.Explanation);
    }

    private CheckResult NotLinearizable(params Operation[] history)
    {
        var r = Check(history);
        r.Outcome.Should().Be(CheckOutcome.NotLinearizable, r.Explanation);
        r.IsLinearizable.Should().BeFalse();
        r.Key.Should().Be(K);
        r.Explanation.Should().Contain("Not linearizable").And.Contain("\"k\"");
        return r;
    }

    // ---- linearizable ----

    [Fact]
    public void Empty_history_is_linearizable() => Linearizable();

    [Fact]
    public void Sequential_history_is_linearizable() => Linearizable(
        Get(1, K, null, 0, 5),
        Put(1, K, "a", 10, 20),
        Get(2, K, "a", 30, 40),
        Put(1, K, "b", 50, 60),
        Get(2, K, "b", 70, 80),
        Delete(1, K, existed: true, 90, 100),
        Get(2, K, null, 110, 120),
        Delete(2, K, existed: false, 130, 140),
        Put(1, K, "a", 150, 160),
        Get(2, K, "a", 170, 180));

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public void Overlapping_puts_then_a_get_may_see_either(string seen) => Linearizable(
        Put(1, K, "a", 0, 50),
        Put(2, K, "b", 10, 60),
        Get(3, K, seen, 70, 80),
        Get(1, K, seen, 90, 100));

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public void A_get_concurrent_with_a_put_may_see_old_or_new(string seen) => Linearizable(
        Put(1, K, "a", 0, 10),
        Put(1, K, "b", 20, 60),
        Get(2, K, seen, 30, 40),
        Get(2, K, "b", 70, 80));

    [Fact]
    public void Reads_during_overlapping_puts_may_flip_once_each_way() => Linearizable(
        // b, then a, then c take effect; each read overlaps the put it sees.
        Put(1, K, "a", 0, 100),
        Put(2, K, "b", 0, 100),
        Get(3, K, "b", 10, 20),
        Get(3, K, "a", 30, 40),
        Put(4, K, "c", 50, 60),
        Get(3, K, "c", 70, 80));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_get_concurrent_with_a_delete_may_see_the_value_or_not(bool seesValue) => Linearizable(
        Put(1, K, "a", 0, 10),
        Delete(1, K, existed: true, 20, 60),
        Get(2, K, seesValue ? "a" : null, 30, 40),
        Get(2, K, null, 70, 80));

    [Theory]
    [InlineData("b")]
    [InlineData(null)]
    public void A_delete_concurrent_with_a_put_may_go_either_side(string? seen) => Linearizable(
        Put(1, K, "a", 0, 10),
        Delete(1, K, existed: true, 20, 40),
        Put(2, K, "b", 25, 35),
        Get(3, K, seen, 50, 60));

    [Fact]
    public void Concurrent_deletes_only_one_finds_the_value() => Linearizable(
        Put(1, K, "a", 0, 10),
        Delete(1, K, existed: true, 20, 40),
        Delete(2, K, existed: false, 25, 35));

    [Fact]
    public void Unknown_put_that_must_have_happened() => Linearizable(
        Unknown(1, K, KvOp.Put("a"), 0),
        Get(2, K, "a", 10, 20));

    [Fact]
    public void Unknown_put_that_must_not_have_happened() => Linearizable(
        Unknown(1, K, KvOp.Put("a"), 0),
        Get(2, K, null, 10, 20),
        Put(1, K, "b", 30, 40),
        Get(2, K, "b", 50, 60),
        Delete(2, K, existed: true, 70, 80),
        Get(2, K, null, 90, 100));

    [Fact]
    public void Unknown_put_may_take_effect_long_after_the_client_gave_up() => Linearizable(
        Put(1, K, "a", 0, 10),
        Unknown(1, K, KvOp.Put("b"), 5),
        Put(1, K, "c", 15, 18),
        Get(2, K, "c", 20, 30),
        Get(2, K, "b", 40, 50),
        Get(3, K, "b", 60, 70));

    [Fact]
    public void Unknown_delete_may_have_happened_later() => Linearizable(
        Put(1, K, "a", 0, 10),
        Unknown(1, K, KvOp.Delete(), 20),
        Get(2, K, "a", 30, 40),
        Get(2, K, null, 50, 60));

    [Fact]
    public void Unknown_get_constrains_nothing() => Linearizable(
        Put(1, K, "a", 0, 10),
        Unknown(2, K, KvOp.Get(), 5),
        Get(2, K, "a", 20, 30));

    [Fact]
    public void Equal_ticks_count_as_concurrent() => Linearizable(
        Put(1, K, "a", 0, 10),
        Get(2, K, null, 10, 20));

    [Fact]
    public void Keys_are_independent_registers() => Linearizable(
        Put(1, "x", "1", 0, 10),
        Put(2, "y", "2", 0, 10),
        Get(3, "x", "1", 20, 30),
        Get(3, "y", "2", 20, 30),
        Get(3, "z", null, 20, 30));

    // ---- not linearizable ----

    [Fact]
    public void Stale_read_after_a_completed_put()
    {
        var r = NotLinearizable(
            Put(1, K, "a", 0, 10, id: 1),
            Put(2, K, "b", 20, 30, id: 2),
            Get(3, K, "a", 40, 50, id: 3));
        r.Explanation.Should().Contain("#3 client 3: get -> \"a\"").And.Contain("holds \"b\"").And.Contain("put(\"b\")");
    }

    [Fact]
    public void Read_of_a_value_never_written() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Get(2, K, "zzz", 5, 20));

    [Fact]
    public void Not_found_after_a_completed_put() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Get(2, K, null, 20, 30));

    [Fact]
    public void Two_reads_in_an_order_contradicting_real_time() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Put(1, K, "b", 20, 100),
        Get(2, K, "b", 30, 40),
        Get(3, K, "a", 50, 60));

    [Fact]
    public void Delete_reporting_missing_after_a_completed_put() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Delete(2, K, existed: false, 20, 30));

    [Fact]
    public void Value_seen_after_a_completed_delete() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Delete(1, K, existed: true, 20, 30),
        Get(2, K, "a", 40, 50));

    [Fact]
    public void Two_deletes_cannot_both_find_one_value() => NotLinearizable(
        Put(1, K, "a", 0, 10),
        Delete(1, K, existed: true, 20, 40),
        Delete(2, K, existed: true, 25, 35));

    [Fact]
    public void Unknown_put_cannot_be_seen_before_it_was_invoked() => NotLinearizable(
        Get(2, K, "a", 0, 10),
        Unknown(1, K, KvOp.Put("a"), 20));

    [Fact]
    public void Unknown_put_cannot_explain_a_different_value() => NotLinearizable(
        Unknown(1, K, KvOp.Put("a"), 0),
        Get(2, K, "b", 10, 20));

    [Fact]
    public void Unknown_put_takes_effect_at_most_once() => NotLinearizable(
        Unknown(1, K, KvOp.Put("a"), 0),
        Get(2, K, "a", 10, 20),
        Put(3, K, "b", 30, 40),
        Get(2, K, "a", 50, 60));

    [Fact]
    public void Failure_names_only_the_broken_key()
    {
        var r = Check(
            Put(1, "good", "1", 0, 10),
            Get(2, "good", "1", 20, 30),
            Put(1, K, "a", 0, 10),
            Get(2, K, null, 20, 30),
            Put(1, "bad2", "x", 0, 10),
            Get(2, "bad2", "y", 20, 30));
        r.Outcome.Should().Be(CheckOutcome.NotLinearizable);
        r.Key.Should().Be("bad2"); // first in ordinal order
        r.FailedKeys.Should().Equal("bad2", K);
        r.Explanation.Should().Contain("1 more keys not linearizable: \"k\"");
        r.KeysChecked.Should().Be(3);
        r.OperationsChecked.Should().Be(6);
    }

    [Fact]
    public void Times_print_in_ms_when_the_clock_rate_is_given()
    {
        var r = LinearizabilityChecker.Check(
            [Put(1, K, "a", 1_000, 3_000), Get(2, K, null, 4_000, 6_500)],
            new CheckOptions { TicksPerSecond = 1_000_000 });
        output.WriteLine(r.Explanation);
        r.Explanation.Should().Contain("[3ms .. 5.5ms]");
    }

    [Fact]
    public void Budget_exhaustion_gives_unknown_rather_than_hanging()
    {
        // 24 concurrent puts and an impossible read: the search would try every subset of puts.
        var ops = Enumerable.Range(0, 24).Select(i => Put(i, K, "v" + i, 0, 100)).Append(Get(99, K, "never", 0, 100)).ToArray();
        var r = LinearizabilityChecker.Check(ops, new CheckOptions { MaxStepsPerKey = 10_000 });
        output.WriteLine(r.Explanation);
        r.Outcome.Should().Be(CheckOutcome.Unknown);
        r.Key.Should().Be(K);
        r.Explanation.Should().Contain("budget exhausted");
        r.Steps.Should().BeLessThanOrEqualTo(10_001);
    }

    [Fact]
    public void Invalid_operations_are_refused()
    {
        FluentActions.Invoking(() => Put(1, K, "a", 10, 5)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new Operation(1, 1, K, KvOp.Get(), OpResult.Ok, 0, 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new Operation(1, 1, K, KvOp.Put("a"), OpResult.Deleted(true), 0, 1)).Should().Throw<ArgumentException>();
        Unknown(1, K, KvOp.Put("a"), 5).ResponseTicks.Should().Be(long.MaxValue);
    }

    [Fact]
    public void Byte_values_compare_by_content() => Linearizable(
        new Operation(1, 1, K, KvOp.Put(new byte[] { 1, 2, 3 }), OpResult.Ok, 0, 10),
        new Operation(2, 2, K, KvOp.Get(), OpResult.Found(new byte[] { 1, 2, 3 }), 20, 30));
}
