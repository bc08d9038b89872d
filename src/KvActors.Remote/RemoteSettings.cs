using System.Net;
using KvActors.Remote.FailureDetection;
using KvActors.Hocon;

namespace KvActors.Remote;

/// <summary>
/// Every knob of the remoting layer, with the defaults of hocon/reference.conf (kvactors.remote).
/// Construct directly in tests; <see cref="FromConfig"/> reads HOCON.
/// </summary>
public sealed record RemoteSettings
{
    /// <summary>Address to bind and advertise; peers must be able to dial it.</summary>
    public string Hostname { get; init; } = "127.0.0.1";
    /// <summary>0 = pick a free port.</summary>
    public int Port { get; init; }
    /// <summary>Cluster secret for the handshake HMAC; "" = none (loopback only unless Insecure).</summary>
    public string Secret { get; init; } = "";
    /// <summary>Allows binding a non-loopback address without a secret.</summary>
    public bool Insecure { get; init; }
    /// <summary>Largest frame (kind byte + body) accepted or sent.</summary>
    public int MaximumFrameSize { get; init; } = 4 << 20;
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>First gate (no sending, messages dropped) after a lost or failed association.</summary>
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>The gate doubles per consecutive failure up to this.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Envelopes waiting per association before new ones are dropped.</summary>
    public int OutboundQueueSize { get; init; } = 200_000;
    /// <summary>
    /// Unused since the batch writer (each write sends everything queued); kept so existing
    /// configs and callers still work.
    /// </summary>
    public int FlushThreshold { get; init; } = 64 * 1024;
    /// <summary>Unacked system messages held per peer; overflowing it quarantines the peer.</summary>
    public int SystemMessageBufferSize { get; init; } = 20_000;
    public TimeSpan SystemMessageResendInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A system message unacked this long quarantines the peer.</summary>
    public TimeSpan GiveUpSystemMessageAfter { get; init; } = TimeSpan.FromHours(6);
    /// <summary>Remote DeathWatch heartbeat period (for peers that are not cluster members).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    public PhiAccrualSettings FailureDetector { get; init; } = new()
    {
        Threshold = 10.0,
        MaxSampleSize = 200,
        MinStdDeviation = TimeSpan.FromMilliseconds(100),
        AcceptableHeartbeatPause = TimeSpan.FromSeconds(10),
        FirstHeartbeatEstimate = TimeSpan.FromSeconds(1),
    };

    /// <summary>On shutdown, how long to wait for queued messages (death notices above all) to leave.</summary>
    public TimeSpan ShutdownFlushTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public static RemoteSettings Default { get; } = new();

    public static RemoteSettings FromConfig(Config config)
    {
        const string p = "kvactors.remote.";
        var d = Default;
        return new RemoteSettings
        {
            Hostname = config.GetString(p + "hostname", d.Hostname),
            Port = config.GetInt(p + "port", d.Port),
            Secret = config.GetString(p + "secret", d.Secret),
            Insecure = config.GetBool(p + "insecure", d.Insecure),
            MaximumFrameSize = checked((int)config.GetBytes(p + "maximum-frame-size", d.MaximumFrameSize)),
            HandshakeTimeout = config.GetTimeSpan(p + "handshake-timeout", d.HandshakeTimeout),
            ConnectTimeout = config.GetTimeSpan(p + "connect-timeout", d.ConnectTimeout),
            BackoffMin = config.GetTimeSpan(p + "backoff.min", d.BackoffMin),
            BackoffMax = config.GetTimeSpan(p + "backoff.max", d.BackoffMax),
            OutboundQueueSize = config.GetInt(p + "outbound-queue-size", d.OutboundQueueSize),
            FlushThreshold = checked((int)config.GetBytes(p + "flush-threshold", d.FlushThreshold)),
            SystemMessageBufferSize = config.GetInt(p + "system-message-buffer-size", d.SystemMessageBufferSize),
            SystemMessageResendInterval = config.GetTimeSpan(p + "system-message-resend-interval", d.SystemMessageResendInterval),
            GiveUpSystemMessageAfter = config.GetTimeSpan(p + "give-up-system-message-after", d.GiveUpSystemMessageAfter),
            ShutdownFlushTimeout = config.GetTimeSpan(p + "shutdown-flush-timeout", d.ShutdownFlushTimeout),
            HeartbeatInterval = config.GetTimeSpan(p + "watch-failure-detector.heartbeat-interval", d.HeartbeatInterval),
            FailureDetector = PhiAccrualSettings.FromConfig(config, p + "watch-failure-detector.", "expected-response-after", d.FailureDetector),
        }.Validated();
    }

    /// <summary>Throws one plain sentence for a setting that cannot work.</summary>
    public RemoteSettings Validated()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"kvactors.remote.port must be 0..65535, not {Port}.");
        if (MaximumFrameSize < 1024) throw new ArgumentException($"kvactors.remote.maximum-frame-size must be at least 1 KiB, not {MaximumFrameSize} bytes.");
        if (OutboundQueueSize < 1) throw new ArgumentException("kvactors.remote.outbound-queue-size must be positive.");
        if (BackoffMin <= TimeSpan.Zero || BackoffMax < BackoffMin) throw new ArgumentException("kvactors.remote.backoff needs 0 < min <= max.");
        FailureDetector.Validate();
        return this;
    }

    /// <summary>True when <see cref="Hostname"/> can only be reached from this machine.</summary>
    public bool IsLoopback =>
        Hostname.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Hostname, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// The security rule of DESIGN.md §7: nothing listens beyond loopback without a cluster secret.
    /// </summary>
    public void EnsureSafeToBind()
    {
        if (!IsLoopback && Secret.Length == 0 && !Insecure)
            throw new InvalidOperationException(
                $"Refusing to bind remoting to non-loopback address '{Hostname}' without a cluster secret: set kvactors.remote.secret (or kvactors.remote.insecure = on to accept the risk).");
    }
}
