namespace KvActors.Client;

/// <summary>
/// <see cref="KvClient"/> gave up on a request (the store refused it, or no primary committed it before the
/// deadline) or could not connect; the message is one sentence. A write that ends this way may or may not have
/// been applied; it was never reported as done.
/// </summary>
public sealed class KvClientException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the store refused the request as sent (a key or value over its limit): retrying cannot help.</summary>
    public bool Refused { get; init; }
}
