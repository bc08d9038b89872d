using System.Globalization;
using System.Text;
using System.Text.Json;
using KvActors.Cli.Output;
using KvActors.Client;

namespace KvActors.Cli.Repl;

/// <summary>
/// The prototypes' line commands (PING, STATUS, LIST_NODES, PUT|SET, GET, DELETE|DEL, HELP, EXIT), plus expiry and
/// counters (SETEX, EXPIRE, TTL, PERSIST, INCR).
/// Connects on the first command that needs a node (an admin client for the cluster commands, a
/// <see cref="KvClient"/> for the data commands) and keeps that connection.
/// With <paramref name="oneLine"/> (input piped from a script) every command prints exactly one
/// line on stdout, an error as "ERROR sentence", so a script can pair outputs with commands.
/// </summary>
public sealed class ReplSession(AdminClientOptions options, bool json, bool oneLine = false) : IAsyncDisposable
{
    private AdminClient? _client;
    private KvClient? _kv;

    public bool ExitRequested { get; private set; }

    public static string Help => """
        PING                 round trip to the node's admin actor
        STATUS               the cluster as the node sees it, with each member's partitions, keys, bytes and replication lag (like kv cluster show)
        LIST_NODES           member addresses, one per line
        PUT key value        write a value (SET too): the rest of the line as it is, or one "quoted string" (JSON escapes)
        GET key              the value, or NOT FOUND key
        DELETE key           delete the key (DEL too): OK DELETE, or NOT FOUND key
        SETEX key ttl value  write a value that expires after ttl (500ms, 10s, 5m, or seconds); the value as for PUT
        EXPIRE key ttl       make an existing key expire after ttl: OK EXPIRE key, or NOT FOUND key
        TTL key              the time left in ms, NO EXPIRY, or NOT FOUND key
        PERSIST key          remove the key's expiry: OK PERSIST key, or NO EXPIRY key
        INCR key [n]         add n (default 1) to the key's integer value and print the result
        HELP                 this list
        EXIT                 leave the REPL
        """;

    public const string HelpLine = "commands: PING, STATUS, LIST_NODES, PUT key value, GET key, DELETE key, SETEX key ttl value, EXPIRE key ttl, TTL key, PERSIST key, INCR key [n], HELP, EXIT";

    /// <summary>Runs one line; returns its exit code (errors are already printed).</summary>
    public async Task<int> Execute(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return ExitCodes.Success;
        var verb = words[0].ToUpperInvariant();
        try
        {
            switch (verb)
            {
                case "PING":
                    var (node, latency) = await (await Client().ConfigureAwait(false)).PingAsync().ConfigureAwait(false);
                    Console.WriteLine($"PONG from {node} in {latency.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture)} ms");
                    return ExitCodes.Success;
                case "STATUS":
                    var admin = await Client().ConfigureAwait(false);
                    var status = await admin.ShowAsync().ConfigureAwait(false);
                    var stats = await admin.StoreStatsAsync(status).ConfigureAwait(false);
                    if (json || oneLine) Console.WriteLine(ClusterJson.Show(status, stats));
                    else ClusterTable.Write(Terminal.Create(), status, stats);
                    return ExitCodes.Success;
                case "LIST_NODES":
                    var members = (await (await Client().ConfigureAwait(false)).ShowAsync().ConfigureAwait(false)).Members
                        .Select(m => m.Address).Order(StringComparer.Ordinal).ToList();
                    if (json) Console.WriteLine(ClusterJson.Addresses(members));
                    else if (oneLine) Console.WriteLine(string.Join(' ', members));
                    else foreach (var m in members) Console.WriteLine(m);
                    return ExitCodes.Success;
                case "HELP":
                    Console.WriteLine(oneLine ? HelpLine : Help);
                    return ExitCodes.Success;
                case "EXIT" or "QUIT":
                    ExitRequested = true;
                    if (oneLine) Console.WriteLine("BYE");
                    return ExitCodes.Success;
                case "PUT" or "SET":
                    return await Put(line).ConfigureAwait(false);
                case "GET":
                    return await Get(words).ConfigureAwait(false);
                case "DELETE" or "DEL":
                    return await Delete(words).ConfigureAwait(false);
                case "SETEX":
                    return await SetEx(line).ConfigureAwait(false);
                case "EXPIRE":
                    return await Expire(words).ConfigureAwait(false);
                case "TTL":
                    return await Ttl(words).ConfigureAwait(false);
                case "PERSIST":
                    return await Persist(words).ConfigureAwait(false);
                case "INCR":
                    return await Incr(words).ConfigureAwait(false);
                default:
                    return Error($"Unknown command '{words[0]}': type HELP for the list");
            }
        }
        catch (AdminClientException e)
        {
            return Error(e.Message);
        }
        catch (KvClientException e)
        {
            return Error(e.Message);
        }
    }

    private async Task<int> Put(string line)
    {
        // PUT key value: the value is the rest of the line after the key's separating whitespace.
        var rest = AfterWord(line.TrimStart());
        var key = FirstWord(rest);
        if (key.Length == 0) return Error("PUT needs a key and a value: PUT key value");
        var text = AfterWord(rest);
        if (text.Length == 0) return Error($"PUT {key} needs a value (\"\" for an empty one)");
        var value = Unquote(text);
        var result = await (await Kv().ConfigureAwait(false)).PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)).ConfigureAwait(false);
        Console.WriteLine(json ? DataText.WrittenJson("PUT", key, result) : DataText.Written("PUT", key, result));
        return ExitCodes.Success;
    }

    private async Task<int> SetEx(string line)
    {
        // SETEX key ttl value: the value is the rest of the line, as for PUT.
        var rest = AfterWord(line.TrimStart());
        var key = FirstWord(rest);
        rest = AfterWord(rest);
        var ttlText = FirstWord(rest);
        var text = AfterWord(rest);
        if (key.Length == 0 || text.Length == 0) return Error("SETEX needs a key, a ttl and a value: SETEX key 10s value");
        if (!Durations.TryParse(ttlText, out var ttl)) return Error($"SETEX: expected a ttl such as 500ms, 10s or 5m, got '{ttlText}'");
        var result = await (await Kv().ConfigureAwait(false)).PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(Unquote(text)),
            KvPutOptions.WithTtl(ttl)).ConfigureAwait(false);
        Console.WriteLine(json ? DataText.WrittenJson("SETEX", key, result.AsWriteResult) : DataText.Written("SETEX", key, result.AsWriteResult));
        return ExitCodes.Success;
    }

    private async Task<int> Expire(string[] words)
    {
        if (words.Length != 3) return Error("EXPIRE takes a key and a ttl: EXPIRE key 10s");
        if (!Durations.TryParse(words[2], out var ttl)) return Error($"EXPIRE: expected a ttl such as 500ms, 10s or 5m, got '{words[2]}'");
        var done = await (await Kv().ConfigureAwait(false)).ExpireAsync(Encoding.UTF8.GetBytes(words[1]), ttl).ConfigureAwait(false);
        Console.WriteLine(done ? $"OK EXPIRE {words[1]}" : DataText.NotFound(words[1]));
        return done ? ExitCodes.Success : ExitCodes.NotFound;
    }

    private async Task<int> Ttl(string[] words)
    {
        if (words.Length != 2) return Error("TTL takes one key: TTL key");
        var ttl = await (await Kv().ConfigureAwait(false)).GetTtlAsync(Encoding.UTF8.GetBytes(words[1])).ConfigureAwait(false);
        Console.WriteLine(!ttl.Exists ? DataText.NotFound(words[1])
            : ttl.Remaining is { } left ? ((long)left.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms"
            : "NO EXPIRY");
        return ttl.Exists ? ExitCodes.Success : ExitCodes.NotFound;
    }

    private async Task<int> Persist(string[] words)
    {
        if (words.Length != 2) return Error("PERSIST takes one key: PERSIST key");
        var done = await (await Kv().ConfigureAwait(false)).PersistAsync(Encoding.UTF8.GetBytes(words[1])).ConfigureAwait(false);
        Console.WriteLine(done ? $"OK PERSIST {words[1]}" : $"NO EXPIRY {words[1]}");
        return ExitCodes.Success;
    }

    private async Task<int> Incr(string[] words)
    {
        long delta = 1;
        if (words.Length is < 2 or > 3 || (words.Length == 3 && !long.TryParse(words[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out delta)))
            return Error("INCR takes a key and an optional integer: INCR key [n]");
        var value = await (await Kv().ConfigureAwait(false)).IncrementAsync(Encoding.UTF8.GetBytes(words[1]), delta).ConfigureAwait(false);
        Console.WriteLine(value.ToString(CultureInfo.InvariantCulture));
        return ExitCodes.Success;
    }

    private async Task<int> Get(string[] words)
    {
        if (words.Length != 2) return Error("GET takes one key: GET key");
        var key = words[1];
        var value = await (await Kv().ConfigureAwait(false)).GetAsync(Encoding.UTF8.GetBytes(key)).ConfigureAwait(false);
        if (json) Console.WriteLine(DataText.ValueJson(key, value));
        else if (value is null) Console.WriteLine(DataText.NotFound(key));
        else
        {
            var text = Encoding.UTF8.GetString(value);
            // One line per command when piped: a value with line breaks is printed as a JSON string.
            Console.WriteLine(oneLine && text.AsSpan().IndexOfAny('\n', '\r') >= 0 ? ClusterJson.Str(text) : text);
        }
        return value is null ? ExitCodes.NotFound : ExitCodes.Success;
    }

    private async Task<int> Delete(string[] words)
    {
        if (words.Length != 2) return Error($"{words[0].ToUpperInvariant()} takes one key: DELETE key");
        var key = words[1];
        var result = await (await Kv().ConfigureAwait(false)).DeleteWithPlacementAsync(Encoding.UTF8.GetBytes(key)).ConfigureAwait(false);
        if (json) Console.WriteLine(DataText.WrittenJson("DELETE", key, result));
        else Console.WriteLine(result.Existed ? DataText.Written("DELETE", key, result) : DataText.NotFound(key));
        return result.Existed ? ExitCodes.Success : ExitCodes.NotFound;
    }

    private static string FirstWord(string s)
    {
        var end = 0;
        while (end < s.Length && !char.IsWhiteSpace(s[end])) end++;
        return s[..end];
    }

    /// <summary>What follows the first word of <paramref name="s"/> and the whitespace after it.</summary>
    private static string AfterWord(string s) => s[FirstWord(s).Length..].TrimStart();

    /// <summary>A value that is exactly one JSON string literal ("a b", "say \"hi\"") is unquoted; anything else is taken as it is.</summary>
    internal static string Unquote(string text)
    {
        if (!text.StartsWith('"')) return text;
        try
        {
            return JsonSerializer.Deserialize<string>(text) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private int Error(string message)
    {
        if (!oneLine) return CliError.Report(message);
        Console.WriteLine("ERROR " + CliError.Sentence(message));
        return ExitCodes.Error;
    }

    private async Task<AdminClient> Client() => _client ??= await AdminClient.ConnectAsync(options).ConfigureAwait(false);

    private async Task<KvClient> Kv() => _kv ??= await KvClient.ConnectAsync(KvClientOptions.From(options)).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync().ConfigureAwait(false);
        if (_kv is not null) await _kv.DisposeAsync().ConfigureAwait(false);
    }
}
