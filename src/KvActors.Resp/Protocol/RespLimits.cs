namespace KvActors.Resp.Protocol;

/// <summary>
/// The bounds a <see cref="RespRequestParser"/> enforces on what one client may make the server hold: no argument, line
/// or command beyond them is ever buffered or allocated. Read from <c>kvactors.resp.*</c> and the store's key and value
/// limits by <see cref="Server.RespSettings"/>.
/// </summary>
public sealed record RespLimits
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: an inline command, or a <c>*</c>/<c>$</c> header line, longer than this is refused.</summary>
    public const int DefaultMaxInlineLength = 64 * 1024;

    /// <summary>
    /// The longest bulk string (one argument) the protocol accepts (Redis's proto-max-bulk-len); a longer one is a protocol
    /// error. One longer than <see cref="MaxKeptBulkLength"/> is read past, not kept.
    /// </summary>
    public long MaxBulkLength { get; init; } = 512L << 20;

    /// <summary>The store's longest key (<c>kvactors.storage.max-key-size</c>).</summary>
    public long MaxKeyLength { get; init; } = 64L << 10;

    /// <summary>The store's longest value (<c>kvactors.storage.max-value-size</c>).</summary>
    public long MaxValueLength { get; init; } = 1L << 20;

    /// <summary>
    /// The longest argument kept: no longer one can be stored as a key or a value. A longer one (within
    /// <see cref="MaxBulkLength"/>) is skipped as it arrives and its command answered with an error.
    /// </summary>
    public long MaxKeptBulkLength => Math.Min(MaxBulkLength, Math.Max(MaxKeyLength, MaxValueLength));

    /// <summary>The most arguments (the command name included) one command may have.</summary>
    public int MaxArguments { get; init; } = 1024 * 1024;

    /// <summary>The longest inline command or header line.</summary>
    public int MaxInlineLength { get; init; } = DefaultMaxInlineLength;

    /// <summary>The most argument bytes one command may carry (Redis's client-query-buffer-limit).</summary>
    public long MaxCommandBytes { get; init; } = 64L << 20;
}
