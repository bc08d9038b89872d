using KvActors.Resp.Protocol;
using KvActors.Store.Configuration;

namespace KvActors.Resp.Server;

/// <summary>The RESP front end's settings, read once from <c>kvactors.resp.*</c> (see hocon/reference.conf).</summary>
public sealed record RespSettings
{
    public const string Section = "kvactors.resp";

    /// <summary>The address to listen on: the node's own (<c>kvactors.remote.host</c>).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 = the front end is off. A test may ask for a free port with <see cref="AnyPort"/>.</summary>
    public int Port { get; init; }

    /// <summary>Listen on a free port (tests): the port is known once the server has started.</summary>
    public const int AnyPort = -1;

    /// <summary>"" = no AUTH needed. Otherwise nothing but AUTH, HELLO ... AUTH and QUIT is answered before AUTH.</summary>
    public string Password { get; init; } = "";

    public RespLimits Limits { get; init; } = new();

    /// <summary>A connection that sends nothing this long is closed; zero = never (Redis's timeout 0).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.Zero;

    public bool FlushAllEnabled { get; init; }

    public int MaxClients { get; init; } = 10_000;

    /// <summary>Commands of one connection in flight (read, reply not yet written) before the server stops reading it.</summary>
    public int MaxPipeline { get; init; } = 1024;

    /// <summary>How long one store request may take, retries included, before the client gets an error.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public bool Enabled => Port != 0;

    /// <summary>
    /// Reads <c>kvactors.resp.*</c> and the store's key and value limits: an argument longer than both (within
    /// proto-max-bulk-len) is read past and answered with an error.
    /// </summary>
    public static RespSettings From(SettingReader read)
    {
        ArgumentNullException.ThrowIfNull(read);
        const string s = Section;
        var maxBulk = read.GetBytes($"{s}.proto-max-bulk-len");
        if (maxBulk < 1) throw read.Layered.Error($"{s}.proto-max-bulk-len", "expected at least 1 byte.");
        var queryLimit = read.GetBytes($"{s}.query-buffer-limit");
        var limits = new RespLimits
        {
            MaxBulkLength = maxBulk,
            MaxKeyLength = read.GetBytes("kvactors.storage.max-key-size"),
            MaxValueLength = read.GetBytes("kvactors.storage.max-value-size"),
            MaxArguments = read.GetInt($"{s}.max-arguments", 1, int.MaxValue),
            MaxCommandBytes = queryLimit,
        };
        if (queryLimit < limits.MaxKeptBulkLength)
            throw read.Layered.Error($"{s}.query-buffer-limit", $"expected at least the longest key or value kept ({limits.MaxKeptBulkLength} bytes: the larger of kvactors.storage.max-key-size and max-value-size, at most proto-max-bulk-len), got {queryLimit}.");
        return new RespSettings
        {
            Host = read.GetString("kvactors.remote.host").Trim(),
            Port = read.GetInt($"{s}.port", 0, 65535),
            Password = read.GetString($"{s}.password"),
            Limits = limits,
            Timeout = read.GetDuration($"{s}.timeout"),
            FlushAllEnabled = read.GetBool($"{s}.flushall-enabled"),
            MaxClients = read.GetInt($"{s}.max-clients", 1, 1_000_000),
            MaxPipeline = read.GetInt($"{s}.max-pipeline", 1, 1_000_000),
            RequestTimeout = read.GetDuration($"{s}.request-timeout", TimeSpan.FromMilliseconds(100)),
        };
    }
}
