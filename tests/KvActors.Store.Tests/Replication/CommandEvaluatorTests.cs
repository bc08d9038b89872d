using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

public class CommandEvaluatorTests
{
    private const long Now = 1_000_000;
    private const int Limit = 16;

    private static (KvOperation Op, CommandResult Result) Eval(KvCommand command, string? value = null, long expiresAt = 0) =>
        CommandEvaluator.Evaluate(command, value is null ? null : new StoredValue(B(value), expiresAt), Now, Limit);

    [Fact]
    public void Set_clears_the_expiry_unless_keepttl_and_answers_the_old_value_with_get()
    {
        Eval(new SetCommand(B("k"), B("v")), "old", Now + 50).Should().Be((KvOperation.Put(B("k"), B("v")), new CommandResult(true)));
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.Keep), "old", Now + 50).Op.ExpiresAtMs.Should().Be(Now + 50);
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.After(10_000))).Op.ExpiresAtMs.Should().Be(Now + 10_000);
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Now + 7))).Op.ExpiresAtMs.Should().Be(Now + 7);
        var (op, result) = Eval(new SetCommand(B("k"), B("v"), ReturnOld: true), "old");
        op.Should().Be(KvOperation.Put(B("k"), B("v")));
        S(result.Value).Should().Be("old");
        Eval(new SetCommand(B("k"), B("v"), ReturnOld: true)).Result.Value.Should().BeNull();
    }

    [Fact]
    public void Set_nx_and_xx_log_a_noop_when_their_condition_fails()
    {
        var nx = Eval(new SetCommand(B("k"), B("v"), SetCondition.IfAbsent, ReturnOld: true), "old");
        nx.Op.Kind.Should().Be(KvOperationKind.Noop);
        nx.Result.Applied.Should().BeFalse();
        S(nx.Result.Value).Should().Be("old", "SET NX GET answers the value it kept");
        Eval(new SetCommand(B("k"), B("v"), SetCondition.IfAbsent)).Op.Kind.Should().Be(KvOperationKind.Put);
        Eval(new SetCommand(B("k"), B("v"), SetCondition.IfPresent)).Should().Be((KvOperation.Noop(B("k")), new CommandResult(false, Applied: false)));
        Eval(new SetCommand(B("k"), B("v"), SetCondition.IfPresent), "old").Op.Kind.Should().Be(KvOperationKind.Put);
    }

    [Fact]
    public void An_expired_value_counts_as_missing()
    {
        Eval(new SetCommand(B("k"), B("v"), SetCondition.IfAbsent), "old", Now).Op.Kind.Should().Be(KvOperationKind.Put);
        Eval(new IncrementCommand(B("k"), 1), "41", Now - 1).Result.Number.Should().Be(1);
        Eval(new GetDeleteCommand(B("k")), "v", Now).Result.Value.Should().BeNull();
        Eval(new ExpireCommand(B("k"), Expiry.After(5)), "v", Now).Result.Applied.Should().BeFalse();
    }

    [Fact]
    public void Set_with_a_bad_or_past_expiry()
    {
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.After(0))).Result.Error.Should().Be(CommandError.InvalidExpireTime);
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.After(long.MaxValue))).Result.Error.Should().Be(CommandError.InvalidExpireTime);
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Now - 5)), "old").Op.Should().Be(KvOperation.Delete(B("k")));
        Eval(new SetCommand(B("k"), B("v"), Expiry: Expiry.At(Now - 5))).Op.Kind.Should().Be(KvOperationKind.Noop);
    }

    [Theory]
    [InlineData(null, 5, "5")]
    [InlineData("10", -3, "7")]
    [InlineData("-9223372036854775807", -1, "-9223372036854775808")]
    [InlineData("0", 0, "0")]
    public void Increment_adds_to_the_decimal_and_keeps_the_expiry(string? value, long delta, string expected)
    {
        var (op, result) = Eval(new IncrementCommand(B("k"), delta), value, Now + 99);
        S(op.Value).Should().Be(expected);
        op.ExpiresAtMs.Should().Be(value is null ? 0 : Now + 99);
        result.Number.Should().Be(long.Parse(expected));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData(" 1")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("-0")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("9223372036854775808")]
    public void Increment_of_a_non_integer_is_an_error_logged_as_a_noop(string value)
    {
        var (op, result) = Eval(new IncrementCommand(B("k"), 1), value);
        op.Kind.Should().Be(KvOperationKind.Noop);
        result.Error.Should().Be(CommandError.NotAnInteger);
    }

    [Fact]
    public void Increment_past_64_bits_is_an_overflow_error()
    {
        Eval(new IncrementCommand(B("k"), 1), long.MaxValue.ToString()).Result.Error.Should().Be(CommandError.Overflow);
        Eval(new IncrementCommand(B("k"), long.MinValue), "-1").Result.Error.Should().Be(CommandError.Overflow);
    }

    [Fact]
    public void Append_answers_the_new_length_keeps_the_expiry_and_respects_the_value_limit()
    {
        var (op, result) = Eval(new AppendCommand(B("k"), B("def")), "abc", Now + 5);
        (S(op.Value), op.ExpiresAtMs, result.Number).Should().Be(("abcdef", Now + 5, 6L));
        Eval(new AppendCommand(B("k"), B("x"))).Result.Number.Should().Be(1);
        Eval(new AppendCommand(B("k"), B("0123456789")), "0123456789").Result.Error.Should().Be(CommandError.ValueTooLarge);
    }

    [Fact]
    public void Getdel_deletes_and_answers_the_value()
    {
        var (op, result) = Eval(new GetDeleteCommand(B("k")), "v");
        op.Should().Be(KvOperation.Delete(B("k")));
        S(result.Value).Should().Be("v");
        Eval(new GetDeleteCommand(B("k"))).Op.Kind.Should().Be(KvOperationKind.Noop);
    }

    [Theory]
    [InlineData(ExpireCondition.Always, 0L, true)]
    [InlineData(ExpireCondition.IfNoExpiry, 0L, true)]
    [InlineData(ExpireCondition.IfNoExpiry, Now + 10, false)]
    [InlineData(ExpireCondition.IfHasExpiry, 0L, false)]
    [InlineData(ExpireCondition.IfHasExpiry, Now + 10, true)]
    [InlineData(ExpireCondition.IfGreater, 0L, false)]
    [InlineData(ExpireCondition.IfGreater, Now + 10, true)]
    [InlineData(ExpireCondition.IfGreater, Now + 500, false)]
    [InlineData(ExpireCondition.IfLess, 0L, true)]
    [InlineData(ExpireCondition.IfLess, Now + 10, false)]
    [InlineData(ExpireCondition.IfLess, Now + 500, true)]
    public void Expire_conditions_follow_redis_7(ExpireCondition condition, long current, bool applies)
    {
        var (op, result) = Eval(new ExpireCommand(B("k"), Expiry.After(100), condition), "v", current);
        result.Applied.Should().Be(applies);
        if (applies)
            op.Should().Be(KvOperation.Put(B("k"), B("v"), Now + 100));
        else
            op.Kind.Should().Be(KvOperationKind.Noop);
    }

    [Fact]
    public void Expire_to_a_time_not_after_now_deletes_and_a_missing_key_is_not_touched()
    {
        Eval(new ExpireCommand(B("k"), Expiry.After(-1)), "v").Should().Be((KvOperation.Delete(B("k")), new CommandResult(true)));
        Eval(new ExpireCommand(B("k"), Expiry.At(Now)), "v").Op.Should().Be(KvOperation.Delete(B("k")));
        Eval(new ExpireCommand(B("k"), Expiry.After(100))).Should().Be((KvOperation.Noop(B("k")), new CommandResult(false, Applied: false)));
        Eval(new ExpireCommand(B("k"), Expiry.After(long.MaxValue)), "v").Result.Error.Should().Be(CommandError.InvalidExpireTime);
    }

    [Fact]
    public void Persist_removes_an_expiry_only_where_there_is_one()
    {
        Eval(new PersistCommand(B("k")), "v", Now + 5).Should().Be((KvOperation.Put(B("k"), B("v")), new CommandResult(true)));
        Eval(new PersistCommand(B("k")), "v").Result.Applied.Should().BeFalse();
        Eval(new PersistCommand(B("k"))).Result.Should().Be(new CommandResult(false, Applied: false));
    }

    [Fact]
    public void A_plain_write_reports_whether_a_live_value_was_there()
    {
        CommandEvaluator.EvaluateWrite(new StoredValue(B("v"), Now + 1), Now).Existed.Should().BeTrue();
        CommandEvaluator.EvaluateWrite(new StoredValue(B("v"), Now), Now).Existed.Should().BeFalse();
        CommandEvaluator.EvaluateWrite(null, Now).Existed.Should().BeFalse();
    }
}
