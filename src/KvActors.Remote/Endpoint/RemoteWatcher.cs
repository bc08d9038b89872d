using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Remote.FailureDetection;
using KvActors.Remote.Protocol;
using KvActors.Remote.Transport;
using Microsoft.Extensions.Logging;

namespace KvActors.Remote.Endpoint;

/// <summary>
/// Remote DeathWatch for systems that are not cluster members. It remembers which local actors
/// watch which remote ones, heartbeats every address it watches something on, and when the
/// phi accrual detector gives up on an address (or the address is quarantined or replaced by
/// a new incarnation) it tells every local watcher Terminated(addressTerminated: true) and
/// quarantines the old incarnation. It also remembers which local actors remote actors watch,
/// so those entries are dropped when their address dies.
/// </summary>
internal sealed class RemoteWatcher
{
    private readonly RemoteActorRefProvider _provider;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Dictionary<Address, Dictionary<IActorRef, HashSet<InternalActorRef>>> _watching = new();
    private readonly Dictionary<Address, HashSet<InternalActorRef>> _watchedByRemote = new();
    private readonly FailureDetectorRegistry<Address> _detectors;

    public RemoteWatcher(RemoteActorRefProvider provider, ILogger log)
    {
        _provider = provider;
        _log = log;
        var settings = provider.RemoteSettings.FailureDetector;
        _detectors = new FailureDetectorRegistry<Address>(() => new PhiAccrualFailureDetector(settings));
    }

    /// <summary>A local actor watches a remote one.</summary>
    public void AddWatch(IActorRef watchee, InternalActorRef watcher)
    {
        var address = watchee.Path.Address;
        lock (_gate)
        {
            if (!_watching.TryGetValue(address, out var byWatchee))
            {
                _watching[address] = byWatchee = new Dictionary<IActorRef, HashSet<InternalActorRef>>();
                // Start the clock now: an address that never answers is declared dead like one that stopped.
                _detectors.Heartbeat(address, Now);
            }
            if (!byWatchee.TryGetValue(watchee, out var watchers)) byWatchee[watchee] = watchers = new HashSet<InternalActorRef>();
            watchers.Add(watcher);
        }
    }

    public void RemoveWatch(IActorRef watchee, InternalActorRef watcher)
    {
        var address = watchee.Path.Address;
        lock (_gate)
        {
            if (!_watching.TryGetValue(address, out var byWatchee)) return;
            // A death notice names the actor with its uid; the watch may have named it without one.
            var key = byWatchee.ContainsKey(watchee) ? watchee
                : byWatchee.Keys.FirstOrDefault(k => k.Path.Uid == ActorPath.UndefinedUid && k.Path.Equals(watchee.Path));
            if (key is null || !byWatchee.TryGetValue(key, out var watchers)) return;
            watchers.Remove(watcher);
            if (watchers.Count == 0) byWatchee.Remove(key);
            if (byWatchee.Count == 0)
            {
                _watching.Remove(address);
                _detectors.Remove(address);
            }
        }
    }

    /// <summary>The watched actor's own death notice arrived: no address-level bookkeeping needed for it anymore.</summary>
    public void OnWatcheeTerminated(IActorRef watchee, InternalActorRef watcher) => RemoveWatch(watchee, watcher);

    public void OnRemoteWatch(IActorRef localWatchee, IActorRef remoteWatcher)
    {
        if (localWatchee is not InternalActorRef local) return;
        lock (_gate)
        {
            var address = remoteWatcher.Path.Address;
            if (!_watchedByRemote.TryGetValue(address, out var set)) _watchedByRemote[address] = set = new HashSet<InternalActorRef>();
            set.Add(local);
        }
    }

    public void OnRemoteUnwatch(IActorRef localWatchee, IActorRef remoteWatcher)
    {
        lock (_gate)
        {
            if (_watchedByRemote.TryGetValue(remoteWatcher.Path.Address, out var set) && localWatchee is InternalActorRef local) set.Remove(local);
        }
    }

    /// <summary>Heartbeats every watched address and checks its detector.</summary>
    public void Tick()
    {
        List<Address> addresses;
        lock (_gate) addresses = [.. _watching.Keys];
        var now = Now;
        foreach (var address in addresses)
        {
            if (!_provider.WatchesWithHeartbeats(address)) continue;
            if (!_detectors.IsAvailable(address, now))
            {
                _log.LogWarning("Remote system {Address} stopped answering heartbeats: its watched actors count as terminated.", address);
                var uid = _provider.Transport.KnownUid(address);
                if (uid != 0) _provider.Transport.Quarantine(new UniqueAddress(address, uid), "remote DeathWatch failure detector");
                AddressTerminated(address);
                continue;
            }
            _provider.Send(address, new OutboundEnvelope(_provider.ControlPathOf(address), _provider.ControlPathOf(_provider.DefaultAddress), new Heartbeat()));
        }
    }

    public void OnHeartbeatResponse(UniqueAddress from)
    {
        lock (_gate)
            if (!_watching.ContainsKey(from.Address)) return;
        _detectors.Heartbeat(from.Address, Now);
    }

    /// <summary>Everything at <paramref name="address"/> is dead: tell local watchers, forget remote watchers.</summary>
    public void AddressTerminated(Address address)
    {
        Dictionary<IActorRef, HashSet<InternalActorRef>>? watched;
        HashSet<InternalActorRef>? watchedBy;
        lock (_gate)
        {
            _watching.Remove(address, out watched);
            _watchedByRemote.Remove(address, out watchedBy);
            _detectors.Remove(address);
        }
        foreach (var (watchee, watchers) in watched ?? [])
            foreach (var watcher in watchers)
                watcher.SendSystemMessage(new DeathWatchNotification(watchee, existenceConfirmed: true, addressTerminated: true));
        foreach (var local in watchedBy ?? [])
            local.SendSystemMessage(new AddressTerminatedNotice(address));
    }

    private static long Now => Environment.TickCount64;
}
