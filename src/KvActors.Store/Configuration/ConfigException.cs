namespace KvActors.Store.Configuration;

/// <summary>
/// A configuration mistake: the message is one sentence naming where it came from (file, flag or
/// variable) and the key, e.g. "hocon/seed.conf: kvactors.remote.port: expected an integer, got 'abc'."
/// </summary>
public sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
