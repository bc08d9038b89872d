using System.Text;
using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

// Expiry and the store's atomic commands: each is one CommandRequest, evaluated once at the primary in log order and
// answered once committed, with the same retry rules (same request id) as a put.
public sealed partial class KvClient
{
    /// <summary>
    /// Runs one command at the key's primary and returns the answer it computed there. Errors the store reports in the
    /// answer (<see cref="CommandResult.Error"/>) are returned, not thrown; the typed methods below turn them into exceptions.
    /// </summary>
    public async Task<CommandResult> ExecuteAsync(KvCommand command) => (await Execute(command).ConfigureAwait(false)).Result;

    private async Task<(CommandResult Result, long Seq, KvPlacement Placement)> Execute(KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (reply, route) = await Send(command.Key, id => new KvRequest { Command = CommandWire.ToRequest(new RequestId(ClientId, id), command) }).ConfigureAwait(false);
        if (reply.ResultCase != KvReply.ResultOneofCase.WriteDone)
            throw new KvClientException($"The store answered a command with {reply.ResultCase}, not a committed write (is it a different version?).");
        var result = CommandWire.FromProto(reply.WriteDone.Outcome)
            ?? throw new KvClientException("The store answered a command without its result (is it a different version?).");
        return (result, reply.WriteDone.Seq, route.Placement());
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> with an expiry and/or a condition (see <see cref="KvPutOptions"/>).</summary>
    public async Task<KvPutResult> PutAsync(byte[] key, byte[] value, KvPutOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var expiry = ExpiryOf(options);
        var condition = options.Condition switch
        {
            KvPutCondition.IfAbsent => SetCondition.IfAbsent,
            KvPutCondition.IfPresent => SetCondition.IfPresent,
            _ => SetCondition.Always,
        };
        var (answer, seq, placement) = await Execute(new SetCommand(key, value, condition, options.ReturnOld, expiry)).ConfigureAwait(false);
        var result = Checked(answer, key);
        return new KvPutResult(result.Applied, result.Existed, result.Value, seq, placement);
    }

    public Task<KvPutResult> PutAsync(string key, string value, KvPutOptions options) =>
        PutAsync(Utf8(key), Encoding.UTF8.GetBytes(value ?? throw new ArgumentNullException(nameof(value))), options);

    /// <summary>Adds <paramref name="delta"/> to the key's 64-bit integer (a missing key counts as 0); returns the new value.</summary>
    public async Task<long> IncrementAsync(byte[] key, long delta = 1) =>
        Checked(await ExecuteAsync(new IncrementCommand(key, delta)).ConfigureAwait(false), key).Number;

    public Task<long> IncrementAsync(string key, long delta = 1) => IncrementAsync(Utf8(key), delta);

    /// <summary>Appends <paramref name="suffix"/> to the key's value (a missing key counts as empty); returns the new length.</summary>
    public async Task<long> AppendAsync(byte[] key, byte[] suffix) =>
        Checked(await ExecuteAsync(new AppendCommand(key, suffix ?? throw new ArgumentNullException(nameof(suffix)))).ConfigureAwait(false), key).Number;

    /// <summary>Deletes the key and returns the value it held (null: none).</summary>
    public async Task<byte[]?> GetDeleteAsync(byte[] key) => (await ExecuteAsync(new GetDeleteCommand(key)).ConfigureAwait(false)).Value;

    /// <summary>Writes <paramref name="value"/> (clearing any expiry) and returns the value it replaced (null: none).</summary>
    public async Task<byte[]?> GetSetAsync(byte[] key, byte[] value) =>
        (await PutAsync(key, value, new KvPutOptions { ReturnOld = true }).ConfigureAwait(false)).OldValue;

    /// <summary>Makes the key expire <paramref name="ttl"/> from now (the primary's clock); zero or less deletes it. False when the key does not exist.</summary>
    public async Task<bool> ExpireAsync(byte[] key, TimeSpan ttl) =>
        Checked(await ExecuteAsync(new ExpireCommand(key, Expiry.After((long)ttl.TotalMilliseconds))).ConfigureAwait(false), key).Applied;

    public Task<bool> ExpireAsync(string key, TimeSpan ttl) => ExpireAsync(Utf8(key), ttl);

    /// <summary>Makes the key expire at <paramref name="at"/>; a time not after now deletes it. False when the key does not exist.</summary>
    public async Task<bool> ExpireAtAsync(byte[] key, DateTimeOffset at) =>
        Checked(await ExecuteAsync(new ExpireCommand(key, Expiry.At(Math.Max(0, at.ToUnixTimeMilliseconds())))).ConfigureAwait(false), key).Applied;

    /// <summary>Removes the key's expiry; false when it had none or does not exist.</summary>
    public async Task<bool> PersistAsync(byte[] key) => (await ExecuteAsync(new PersistCommand(key)).ConfigureAwait(false)).Applied;

    public Task<bool> PersistAsync(string key) => PersistAsync(Utf8(key));

    /// <summary>The value under <paramref name="key"/> with its expiry (a leased read at the primary); null when the key has none.</summary>
    public async Task<KvValue?> GetWithExpiryAsync(byte[] key)
    {
        var read = await ReadWithExpiryAsync(key).ConfigureAwait(false);
        if (!read.Found)
            return null;
        return new KvValue(read.Value.ToByteArray(), read.ExpiresAtMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(read.ExpiresAtMs));
    }

    /// <summary>The key's remaining time to live, as the node that answered measured it when it answered.</summary>
    public async Task<KvTtl> GetTtlAsync(byte[] key)
    {
        var read = await ReadWithExpiryAsync(key).ConfigureAwait(false);
        if (!read.Found)
            return new KvTtl(false, null, null);
        if (read.ExpiresAtMs == 0)
            return new KvTtl(true, null, null);
        return new KvTtl(true, TimeSpan.FromMilliseconds(Math.Max(0, read.TtlMs)), DateTimeOffset.FromUnixTimeMilliseconds(read.ExpiresAtMs));
    }

    private async Task<Store.Wire.Store.ReadDone> ReadWithExpiryAsync(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = ByteString.CopyFrom(key);
        var (reply, _) = await Send(key, id => new KvRequest { Get = new GetRequest { ClientId = ClientId, RequestId = id, Key = k } }).ConfigureAwait(false);
        if (reply.ResultCase != KvReply.ResultOneofCase.ReadDone)
            throw new KvClientException($"The store answered a GET with {reply.ResultCase} (is it a different version?).");
        return reply.ReadDone;
    }

    public Task<KvTtl> GetTtlAsync(string key) => GetTtlAsync(Utf8(key));

    private static Expiry ExpiryOf(KvPutOptions options)
    {
        var given = (options.Ttl is null ? 0 : 1) + (options.ExpiresAt is null ? 0 : 1) + (options.KeepTtl ? 1 : 0);
        if (given > 1)
            throw new ArgumentException("Give at most one of Ttl, ExpiresAt and KeepTtl.", nameof(options));
        if (options.Ttl is { } ttl)
            return ttl > TimeSpan.Zero ? Expiry.After((long)Math.Ceiling(ttl.TotalMilliseconds))
                : throw new ArgumentException($"A TTL must be positive, not {ttl}.", nameof(options));
        if (options.ExpiresAt is { } at)
            return at.ToUnixTimeMilliseconds() > 0 ? Expiry.At(at.ToUnixTimeMilliseconds())
                : throw new ArgumentException($"An expiry must be after 1970-01-01, not {at:O}.", nameof(options));
        return options.KeepTtl ? Expiry.Keep : Expiry.None;
    }

    /// <summary>The result, or the store's error as a <see cref="KvClientException"/> (one sentence, Redis's wording where it has one).</summary>
    private static CommandResult Checked(CommandResult result, byte[] key) => result.Error switch
    {
        CommandError.None => result,
        CommandError.NotAnInteger => throw new KvClientException("The value is not an integer or out of range.") { Refused = true },
        CommandError.Overflow => throw new KvClientException("The increment or decrement would overflow.") { Refused = true },
        CommandError.ValueTooLarge => throw new KvClientException("The value would exceed kvactors.storage.max-value-size.") { Refused = true },
        _ => throw new KvClientException("The expire time is invalid.") { Refused = true },
    };
}
