using System.Collections.Concurrent;
using KvActors.Actor;

namespace KvActors.Remote.FaultInjection;

/// <summary>Which traffic a fault rule affects, seen from the node that holds the rule.</summary>
public enum FaultDirection
{
    /// <summary>Messages this node sends to the peer.</summary>
    Send,
    /// <summary>Messages this node receives from the peer.</summary>
    Receive,
    Both,
}

/// <summary>
/// Test-only network faults between this system and others, applied where remoting hands
/// envelopes to and takes them from the transport: drop (blackhole) or delay traffic per peer
/// address. Multi-node specs use it to partition nodes without touching sockets. With no
/// rules (production) every check is one dictionary lookup on an empty dictionary.
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<Address, Rule> _rules = new();

    private sealed record Rule(bool DropSend, bool DropReceive, TimeSpan SendDelay);

    public bool IsActive => !_rules.IsEmpty;

    /// <summary>Drops traffic with <paramref name="peer"/> in the given direction.</summary>
    public void Blackhole(Address peer, FaultDirection direction)
    {
        _rules.AddOrUpdate(peer,
            _ => new Rule(direction != FaultDirection.Receive, direction != FaultDirection.Send, TimeSpan.Zero),
            (_, r) => r with
            {
                DropSend = r.DropSend || direction != FaultDirection.Receive,
                DropReceive = r.DropReceive || direction != FaultDirection.Send,
            });
    }

    /// <summary>Delays every message this node sends to <paramref name="peer"/> (order is kept).</summary>
    public void Delay(Address peer, TimeSpan delay) =>
        _rules.AddOrUpdate(peer, _ => new Rule(false, false, delay), (_, r) => r with { SendDelay = delay });

    /// <summary>Removes every rule for <paramref name="peer"/>.</summary>
    public void PassThrough(Address peer) => _rules.TryRemove(peer, out _);

    public void Clear() => _rules.Clear();

    internal bool DropsSendTo(Address peer) => _rules.TryGetValue(peer, out var r) && r.DropSend;
    internal bool DropsReceiveFrom(Address peer) => _rules.TryGetValue(peer, out var r) && r.DropReceive;
    internal TimeSpan SendDelayTo(Address peer) => _rules.TryGetValue(peer, out var r) ? r.SendDelay : TimeSpan.Zero;
}
