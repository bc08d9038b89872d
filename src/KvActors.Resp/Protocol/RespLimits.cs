namespace KvActors.Resp.Protocol;

/// <summary>
/// The bounds a <see cref="RespRequestParser"/> enforces on what one client may make the server hold: no argument, line
/// or command beyond them is ever buffered or allocated. Read from <c>kvactors.resp.*</c> by <see cref="Server.RespSettings"/>.
/// </summary>
public sealed record RespLimits
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: an inline command, or a <c>*</c>/<c>$</c> header line, longer than this is refused.</summary>
    public const int DefaultMaxInlineLength = 64 * 1024;

    /// <summary>The longest bulk string (one argument) accepted (Redis's proto-max-bulk-len).</summary>
    public long MaxBulkLength { get; init; } = 512L << 20;

    /// <summary>The most arguments (the command name included) one command may have.</summary>
    public int MaxArguments { get; init; } = 1024 * 1024;

    /// <summary>The longest inline command or header line.</summary>
    public int MaxInlineLength { get; init; } = DefaultMaxInlineLength;

    /// <summary>The most argument bytes one command may carry (Redis's client-query-buffer-limit).</summary>
    public long MaxCommandBytes { get; init; } = 64L << 20;
}
