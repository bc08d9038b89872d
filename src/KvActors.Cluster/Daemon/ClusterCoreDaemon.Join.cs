using KvActors.Actor;
using KvActors.Cluster.Wire;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// Joining. With seed nodes, a node sends InitJoin to every seed and joins the first member
/// that answers InitJoinAck; the first seed forms a new cluster itself when no other seed
/// answers within seed-node-timeout. A join that gets no Welcome is retried. A member asked to
/// admit a new incarnation of an address it knows downs the old one first (the joiner retries
/// until the old one is removed).
/// </summary>
internal sealed partial class ClusterCoreDaemon
{
    private IReadOnlyList<Address> _seeds = [];
    private long _joinStartedMs;
    private Address? _joiningTo;
    private Address? _directJoinTarget; // set by Join(address): retried as is, there are no seeds to ask
    private long _joinSentMs;

    private void ReceiveJoinProtocol()
    {
        Receive<DaemonMessages.JoinSeedNodes>(j => StartSeedJoin(j.Seeds));
        Receive<DaemonMessages.JoinTo>(j =>
        {
            _directJoinTarget = j.Address;
            JoinTo(j.Address);
        });
        Receive<DaemonMessages.JoinRetryTick>(_ => RetrySeedJoin());
        Receive<InitJoin>(_ =>
            Sender?.Tell(IsMember ? new InitJoinAck { Address = _self.Address.ToString() } : new InitJoinNack { Address = _self.Address.ToString() }, Self));
        Receive<InitJoinAck>(ack =>
        {
            if (IsMember || _joiningTo is not null || !TryDecode(() => WireConverter.ParseAddress(ack.Address), "InitJoinAck", out var address)) return;
            JoinTo(address);
        });
        Receive<InitJoinNack>(_ => { }); // a seed that is not a member yet: keep asking the others
        Receive<Join>(HandleJoin);
        Receive<Welcome>(HandleWelcome);
    }

    private void StartSeedJoin(IReadOnlyList<Address> seeds)
    {
        if (IsMember) return;
        _seeds = seeds.Distinct().ToList();
        _joinStartedMs = Now;
        _joiningTo = null;
        _log.LogInformation("Joining the cluster through seed nodes {Seeds}.", string.Join(", ", _seeds));
        if (_seeds.Count == 1 && _seeds[0].Equals(_self.Address))
        {
            JoinTo(_self.Address); // the only seed: form the cluster
            return;
        }
        AskSeeds();
        Timers.StartPeriodicTimer("join-retry", DaemonMessages.JoinRetryTick.Instance, TimeSpan.FromSeconds(1));
    }

    private void AskSeeds()
    {
        foreach (var seed in _seeds)
            if (!seed.Equals(_self.Address)) SendToCore(seed, new InitJoin());
    }

    private void RetrySeedJoin()
    {
        if (IsMember)
        {
            Timers.Cancel("join-retry");
            return;
        }
        var now = Now;
        if (_joiningTo is not null)
        {
            // A join that got no Welcome in time starts over (the member may have gone, or was busy downing our old incarnation).
            if (_settings.RetryUnsuccessfulJoinAfter is not { } retryAfter || now - _joinSentMs < (long)retryAfter.TotalMilliseconds) return;
            _joiningTo = null;
            if (_directJoinTarget is { } target)
            {
                JoinTo(target);
                return;
            }
        }
        var firstSeed = _seeds.Count > 0 && _seeds[0].Equals(_self.Address);
        if (firstSeed && now - _joinStartedMs >= (long)_settings.SeedNodeTimeout.TotalMilliseconds)
        {
            _log.LogInformation("No other seed node answered within {Ms} ms: forming a new cluster.", (long)_settings.SeedNodeTimeout.TotalMilliseconds);
            JoinTo(_self.Address);
            return;
        }
        AskSeeds();
    }

    private void JoinTo(Address address)
    {
        if (IsMember) return;
        if (Context.System.CoordinatedShutdown.Reason is not null) return; // too late: this node is stopping
        if (address.Equals(_self.Address))
        {
            Timers.Cancel("join-retry");
            UpdateLocal(Gossip.Create([Member.Create(_self, _settings.Roles)]));
            return;
        }
        _joiningTo = address;
        _joinSentMs = Now;
        var join = new Join { Node = _selfWire };
        join.Roles.AddRange(_settings.Roles);
        SendToCore(address, join);
        if (!Timers.IsTimerActive("join-retry"))
            Timers.StartPeriodicTimer("join-retry", DaemonMessages.JoinRetryTick.Instance, TimeSpan.FromSeconds(1));
    }

    private void HandleJoin(Join join)
    {
        if (!IsMember || _shuttingDown || !TryDecode(() => WireConverter.FromWire(join.Node), "Join", out var joining)) return;
        var gossip = _state.Latest;
        if (gossip.IsTombstoned(joining)) return; // a removed incarnation never comes back
        var sameAddress = gossip.Members.FirstOrDefault(m => m.Address.Equals(joining.Address));
        if (sameAddress is not null && sameAddress.UniqueAddress != joining)
        {
            // A restarted process at a known address: the old incarnation is dead. Down it; admit the new one once it is removed.
            if (sameAddress.Status != MemberStatus.Down)
            {
                _log.LogInformation("{Address} restarted (new uid {Uid}): downing its old incarnation.", joining.Address, joining.Uid);
                UpdateLocal(gossip.Update(sameAddress.Copy(MemberStatus.Down)));
            }
            return;
        }
        if (sameAddress is null)
        {
            _log.LogInformation("Node {Address} is joining.", joining.Address);
            UpdateLocal(gossip.Update(Member.Create(joining, join.Roles)));
        }
        Sender?.Tell(new Welcome { From = _selfWire, Gossip = WireConverter.ToWire(_state.Latest) }, Self);
    }

    private void HandleWelcome(Welcome welcome)
    {
        if (IsMember || !TryDecode(() => WireConverter.FromWire(welcome.Gossip), "Welcome", out var gossip)) return;
        if (!gossip.HasMember(_self)) return;
        Timers.Cancel("join-retry");
        _joiningTo = null;
        Adopt(gossip.Seen(_self));
        _log.LogInformation("Joined the cluster (welcomed by {From}).", welcome.From?.Address);
    }
}
