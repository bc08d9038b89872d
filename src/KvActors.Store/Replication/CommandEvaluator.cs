using System.Globalization;
using System.Text;

namespace KvActors.Store.Replication;

/// <summary>
/// Evaluates a <see cref="KvCommand"/> against the key's latest value at the primary: (command, current value and expiry,
/// wall clock) -> (the plain operation to log, the answer). Pure and deterministic; the result is what replicates, so
/// replicas never evaluate anything. Redis 7's semantics: an expired value counts as missing, SET clears the expiry
/// unless KEEPTTL, INCR and APPEND keep it, an EXPIRE to a time not after now deletes the key.
/// </summary>
public static class CommandEvaluator
{
    /// <param name="current">The key's latest value (committed or prepared), null when it has none; an expired one counts as none.</param>
    /// <param name="wallNowMs">The primary's wall clock, Unix ms.</param>
    /// <param name="maxValueSize">The value limit (APPEND may not grow past it).</param>
    public static (KvOperation Operation, CommandResult Result) Evaluate(KvCommand command, StoredValue? current, long wallNowMs, int maxValueSize)
    {
        ArgumentNullException.ThrowIfNull(command);
        var live = current is { } c && c.IsLiveAt(wallNowMs) ? current : null;
        return command switch
        {
            SetCommand set => Set(set, live, wallNowMs),
            IncrementCommand increment => Increment(increment, live),
            AppendCommand append => Append(append, live, maxValueSize),
            GetDeleteCommand getDelete => live is { } old
                ? (KvOperation.Delete(getDelete.Key), new CommandResult(true, Value: old.Value))
                : (KvOperation.Noop(getDelete.Key), new CommandResult(false, Applied: false)),
            ExpireCommand expire => Expire(expire, live, wallNowMs),
            PersistCommand persist => live is { ExpiresAtMs: > 0 } held
                ? (KvOperation.Put(persist.Key, held.Value), new CommandResult(true))
                : (KvOperation.Noop(persist.Key), new CommandResult(live is not null, Applied: false)),
            _ => throw new ArgumentException($"No evaluation for {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>A plain Put or Delete: logged as given (a Put clears any expiry); the answer says whether the key held a live value.</summary>
    public static CommandResult EvaluateWrite(StoredValue? current, long wallNowMs) => CommandResult.Plain(current is { } c && c.IsLiveAt(wallNowMs));

    private static (KvOperation, CommandResult) Set(SetCommand set, StoredValue? live, long wallNowMs)
    {
        var existed = live is not null;
        var old = set.ReturnOld ? live?.Value : null;
        if ((set.Condition == SetCondition.IfAbsent && existed) || (set.Condition == SetCondition.IfPresent && !existed))
            return (KvOperation.Noop(set.Key), new CommandResult(existed, Applied: false, Value: old));
        long expiresAt;
        switch (set.Expiry.Kind)
        {
            case ExpiryKind.None:
                expiresAt = 0;
                break;
            case ExpiryKind.Keep:
                expiresAt = live?.ExpiresAtMs ?? 0;
                break;
            default:
                if (Absolute(set.Expiry, wallNowMs) is not { } at || set.Expiry.Ms <= 0)
                    return (KvOperation.Noop(set.Key), new CommandResult(existed, Applied: false, Error: CommandError.InvalidExpireTime));
                if (at <= wallNowMs)
                {
                    // Set and expired at once (an EXAT in the past): what remains is no key.
                    return (existed ? KvOperation.Delete(set.Key) : KvOperation.Noop(set.Key), new CommandResult(existed, Value: old));
                }
                expiresAt = at;
                break;
        }
        return (KvOperation.Put(set.Key, set.Value, expiresAt), new CommandResult(existed, Value: old));
    }

    private static (KvOperation, CommandResult) Increment(IncrementCommand increment, StoredValue? live)
    {
        long value = 0;
        if (live is { } held && !TryParseInteger(held.Value, out value))
            return (KvOperation.Noop(increment.Key), new CommandResult(true, Applied: false, Error: CommandError.NotAnInteger));
        long result;
        try
        {
            result = checked(value + increment.Delta);
        }
        catch (OverflowException)
        {
            return (KvOperation.Noop(increment.Key), new CommandResult(live is not null, Applied: false, Error: CommandError.Overflow));
        }
        var bytes = Encoding.ASCII.GetBytes(result.ToString(CultureInfo.InvariantCulture));
        return (KvOperation.Put(increment.Key, bytes, live?.ExpiresAtMs ?? 0), new CommandResult(live is not null, Number: result));
    }

    private static (KvOperation, CommandResult) Append(AppendCommand append, StoredValue? live, int maxValueSize)
    {
        var old = live?.Value ?? [];
        var length = (long)old.Length + append.Suffix.Length;
        if (length > maxValueSize)
            return (KvOperation.Noop(append.Key), new CommandResult(live is not null, Applied: false, Error: CommandError.ValueTooLarge));
        var value = new byte[length];
        old.CopyTo(value, 0);
        append.Suffix.CopyTo(value, old.Length);
        return (KvOperation.Put(append.Key, value, live?.ExpiresAtMs ?? 0), new CommandResult(live is not null, Number: length));
    }

    private static (KvOperation, CommandResult) Expire(ExpireCommand expire, StoredValue? live, long wallNowMs)
    {
        if (Absolute(expire.When, wallNowMs) is not { } at || expire.When.Kind is not (ExpiryKind.AfterMs or ExpiryKind.AtUnixMs))
            return (KvOperation.Noop(expire.Key), new CommandResult(live is not null, Applied: false, Error: CommandError.InvalidExpireTime));
        if (live is not { } held)
            return (KvOperation.Noop(expire.Key), new CommandResult(false, Applied: false));
        var has = held.ExpiresAtMs > 0;
        var allowed = expire.Condition switch
        {
            ExpireCondition.IfNoExpiry => !has,
            ExpireCondition.IfHasExpiry => has,
            ExpireCondition.IfGreater => has && at > held.ExpiresAtMs, // no expiry is infinite: nothing is greater
            ExpireCondition.IfLess => !has || at < held.ExpiresAtMs,
            _ => true,
        };
        if (!allowed)
            return (KvOperation.Noop(expire.Key), new CommandResult(true, Applied: false));
        return at <= wallNowMs
            ? (KvOperation.Delete(expire.Key), new CommandResult(true))
            : (KvOperation.Put(expire.Key, held.Value, at), new CommandResult(true));
    }

    /// <summary>The expiry as Unix ms, or null when it does not fit (an overflowing relative time, or a negative absolute one).</summary>
    private static long? Absolute(Expiry expiry, long wallNowMs)
    {
        long at;
        try
        {
            at = expiry.Kind == ExpiryKind.AfterMs ? checked(wallNowMs + expiry.Ms) : expiry.Ms;
        }
        catch (OverflowException)
        {
            return null;
        }
        // A past time is fine (it deletes); a negative one clamps to "already past".
        return expiry.Kind == ExpiryKind.AtUnixMs && at < 0 ? 0 : at;
    }

    /// <summary>Redis's strict decimal form: optional '-', no leading zeros or '+' or spaces, within 64 bits.</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20)
            return false;
        if (text.Length == 1 && text[0] == (byte)'0')
            return true;
        var negative = text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length == 0 || digits[0] is < (byte)'1' or > (byte)'9')
            return false;
        ulong magnitude = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
                return false;
            var next = magnitude * 10 + (ulong)(b - '0');
            if (magnitude > ulong.MaxValue / 10 || next < magnitude)
                return false;
            magnitude = next;
        }
        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
                return false;
            value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
        }
        else
        {
            if (magnitude > long.MaxValue)
                return false;
            value = (long)magnitude;
        }
        return true;
    }
}
