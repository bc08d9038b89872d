using System.Collections.Concurrent;

namespace KvActors.Remote.Transport;

/// <summary>
/// Remembers which (what, who) pairs were already logged, so a misconfigured or hostile peer
/// that retries forever costs one log line, not a flood. Bounded: cleared when it grows large.
/// </summary>
internal sealed class LogOnce
{
    private readonly ConcurrentDictionary<string, byte> _seen = new();

    public bool First(string key)
    {
        if (_seen.Count > 10_000) _seen.Clear();
        return _seen.TryAdd(key, 0);
    }

    public void Forget(string keyPrefix)
    {
        foreach (var k in _seen.Keys)
            if (k.StartsWith(keyPrefix, StringComparison.Ordinal)) _seen.TryRemove(k, out _);
    }
}
