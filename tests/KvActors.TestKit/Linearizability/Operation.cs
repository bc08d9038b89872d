using System.Globalization;

namespace KvActors.TestKit.Linearizability;

/// <summary>The three register operations a KV client performs on one key.</summary>
public enum OpKind
{
    Put,
    Get,
    Delete,
}

/// <summary>
/// What a client asked for: <c>Put(value)</c>, <c>Get</c> or <c>Delete</c>.
/// </summary>
/// <remarks>
/// Values are represented as strings and compared ordinally (exactly, by content). Histories over
/// byte[] values use the <c>byte[]</c> overloads, which encode the bytes as <c>"hex:" + uppercase hex</c>;
/// a history should use one representation consistently (a string value that happens to look like
/// <c>"hex:..."</c> equals the bytes it spells).
/// </remarks>
public readonly record struct KvOp(OpKind Kind, string? Value)
{
    public static KvOp Put(string value) => new(OpKind.Put, value ?? throw new ArgumentNullException(nameof(value)));

    public static KvOp Put(byte[] value) => Put(RegisterValue.FromBytes(value));

    public static KvOp Get() => new(OpKind.Get, null);

    public static KvOp Delete() => new(OpKind.Delete, null);

    public override string ToString() => Kind switch
    {
        OpKind.Put => $"put({RegisterValue.Format(Value)})",
        OpKind.Get => "get",
        _ => "delete",
    };
}

/// <summary>How a string or byte[] value is represented in a history (see <see cref="KvOp"/>).</summary>
public static class RegisterValue
{
    public static string FromBytes(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "hex:" + Convert.ToHexString(value);
    }

    /// <summary>A value for printing: quoted, shortened if long; null prints as "absent".</summary>
    public static string Format(string? value)
    {
        if (value is null) return "absent";
        const int max = 40;
        var shown = value.Length <= max ? value : value[..max] + $"...({value.Length} chars)";
        return "\"" + shown + "\"";
    }
}

/// <summary>What the client observed. Use the factories; which one fits depends on the <see cref="OpKind"/>.</summary>
public sealed record OpResult
{
    private OpResult(OpResultKind kind, string? value, bool existed)
    {
        Kind = kind;
        Value = value;
        Existed = existed;
    }

    public OpResultKind Kind { get; }

    /// <summary>For a get: the value it read (null = not found).</summary>
    public string? Value { get; }

    /// <summary>For a delete: whether the key existed.</summary>
    public bool Existed { get; }

    public bool IsUnknown => Kind == OpResultKind.Unknown;

    /// <summary>A put was acknowledged.</summary>
    public static OpResult Ok { get; } = new(OpResultKind.Ok, null, false);

    /// <summary>A get read <paramref name="value"/>.</summary>
    public static OpResult Found(string value) => new(OpResultKind.Read, value ?? throw new ArgumentNullException(nameof(value)), false);

    public static OpResult Found(byte[] value) => Found(RegisterValue.FromBytes(value));

    /// <summary>A get found nothing.</summary>
    public static OpResult NotFound { get; } = new(OpResultKind.Read, null, false);

    /// <summary>A get that read <paramref name="valueOrNull"/> (null = not found).</summary>
    public static OpResult Read(string? valueOrNull) => valueOrNull is null ? NotFound : Found(valueOrNull);

    /// <summary>A delete answered whether the key existed.</summary>
    public static OpResult Deleted(bool existed) => existed ? DeletedExisting : DeletedMissing;

    /// <summary>
    /// The client does not know whether the operation took effect (timeout, connection lost, ...): it
    /// may have happened at any time after its invocation, or never; its result is unconstrained.
    /// </summary>
    public static OpResult Unknown { get; } = new(OpResultKind.Unknown, null, false);

    private static readonly OpResult DeletedExisting = new(OpResultKind.Deleted, null, true);
    private static readonly OpResult DeletedMissing = new(OpResultKind.Deleted, null, false);

    /// <summary>Whether this result can be the answer to <paramref name="kind"/>.</summary>
    public bool Fits(OpKind kind) => Kind switch
    {
        OpResultKind.Unknown => true,
        OpResultKind.Ok => kind == OpKind.Put,
        OpResultKind.Read => kind == OpKind.Get,
        _ => kind == OpKind.Delete,
    };

    public override string ToString() => Kind switch
    {
        OpResultKind.Ok => "ok",
        OpResultKind.Read => Value is null ? "not-found" : RegisterValue.Format(Value),
        OpResultKind.Deleted => Existed ? "existed" : "did-not-exist",
        _ => "unknown",
    };
}

public enum OpResultKind
{
    /// <summary>A put's acknowledgement.</summary>
    Ok,

    /// <summary>A get's answer (value or not found).</summary>
    Read,

    /// <summary>A delete's answer (existed or not).</summary>
    Deleted,

    /// <summary>Outcome unknown: may or may not have taken effect.</summary>
    Unknown,
}

/// <summary>
/// One operation of a history: who (client), on which key, what, what came back, and when, in ticks
/// of a monotonic clock. An operation with an unknown outcome has no response: its
/// <see cref="ResponseTicks"/> is <see cref="long.MaxValue"/> (+infinity).
/// </summary>
/// <remarks>
/// Real-time order: A precedes B when A's response is strictly before B's invocation; equal ticks
/// count as concurrent (the lenient reading, which never reports a false violation).
/// </remarks>
public sealed record Operation
{
    public Operation(long id, int clientId, string key, KvOp op, OpResult result, long invokeTicks, long responseTicks)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(result);
        if (op.Kind == OpKind.Put && op.Value is null) throw new ArgumentException("A put needs a value.", nameof(op));
        if (!result.Fits(op.Kind)) throw new ArgumentException($"Result '{result}' ({result.Kind}) cannot answer a {op.Kind}.", nameof(result));
        if (result.IsUnknown) responseTicks = long.MaxValue;
        else if (responseTicks < invokeTicks) throw new ArgumentException($"Response ({responseTicks}) before invocation ({invokeTicks}).", nameof(responseTicks));
        Id = id;
        ClientId = clientId;
        Key = key;
        Op = op;
        Result = result;
        InvokeTicks = invokeTicks;
        ResponseTicks = responseTicks;
    }

    /// <summary>An id for printing (the recorder numbers operations in invocation order).</summary>
    public long Id { get; }

    public int ClientId { get; }

    public string Key { get; }

    public KvOp Op { get; }

    public OpResult Result { get; }

    public long InvokeTicks { get; }

    /// <summary>Response time; <see cref="long.MaxValue"/> when the outcome is unknown.</summary>
    public long ResponseTicks { get; }

    public bool IsUnknown => Result.IsUnknown;

    // Factories for hand-written histories (tests).

    public static Operation Put(int client, string key, string value, long invoke, long response, long id = 0) =>
        new(id, client, key, KvOp.Put(value), OpResult.Ok, invoke, response);

    /// <summary>A get that read <paramref name="observed"/> (null = not found).</summary>
    public static Operation Get(int client, string key, string? observed, long invoke, long response, long id = 0) =>
        new(id, client, key, KvOp.Get(), OpResult.Read(observed), invoke, response);

    public static Operation Delete(int client, string key, bool existed, long invoke, long response, long id = 0) =>
        new(id, client, key, KvOp.Delete(), OpResult.Deleted(existed), invoke, response);

    /// <summary>An operation whose outcome is unknown (no response).</summary>
    public static Operation Unknown(int client, string key, KvOp op, long invoke, long id = 0) =>
        new(id, client, key, op, OpResult.Unknown, invoke, long.MaxValue);

    /// <summary>Readable one-liner; times are shown relative to <paramref name="origin"/>, divided by <paramref name="ticksPerMs"/> if given.</summary>
    public string Describe(long origin = 0, double? ticksPerMs = null)
    {
        string T(long t) => ticksPerMs is { } f
            ? ((t - origin) / f).ToString("0.###", CultureInfo.InvariantCulture) + "ms"
            : (t - origin).ToString(CultureInfo.InvariantCulture);
        var end = IsUnknown ? "never (unknown outcome)" : T(ResponseTicks);
        var id = Id == 0 ? "" : $"#{Id} ";
        return $"{id}client {ClientId}: {Op} -> {Result}   [{T(InvokeTicks)} .. {end}]";
    }

    public override string ToString() => $"{Key}: {Describe()}";
}
