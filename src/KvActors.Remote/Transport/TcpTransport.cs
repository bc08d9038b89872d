using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using KvActors.Actor;
using KvActors.Remote.Handshake;
using KvActors.Remote.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvActors.Remote.Transport;

/// <summary>
/// The remoting transport of one actor system: listens for inbound connections, keeps one
/// outbound <see cref="Association"/> per remote address, tracks peer incarnations (uids) and
/// the quarantine set, and reports everything to an <see cref="ITransportListener"/>.
/// </summary>
public sealed class TcpTransport : IAsyncDisposable
{
    private readonly ITransportListener _listener;
    private readonly ILogger _log;
    private readonly RandomNumberGenerator _rng;
    private readonly ConcurrentDictionary<Address, Association> _associations = new();
    private readonly AssociationHint?[] _byIdentity = new AssociationHint?[64];
    private readonly ConcurrentDictionary<InboundConnection, Task> _inbound = new();
    private readonly ConcurrentDictionary<UniqueAddress, string> _quarantined = new();
    private readonly Dictionary<Address, long> _knownUids = new();
    private readonly LogOnce _logOnce = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private long _droppedOutbound, _droppedInbound, _received;
    private int _disposed;

    public TcpTransport(string systemName, RemoteSettings settings, SerializerRegistry serializers,
        ITransportListener listener, ILoggerFactory? loggerFactory = null, RandomNumberGenerator? rng = null)
    {
        SystemName = systemName;
        Settings = settings.Validated();
        Serializers = serializers;
        _listener = listener;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KvActors.Remote");
        _rng = rng ?? RandomNumberGenerator.Create();
    }

    public string SystemName { get; }
    public RemoteSettings Settings { get; }
    public SerializerRegistry Serializers { get; }
    /// <summary>This incarnation: the bound address plus a fresh uid. Set by <see cref="Start"/>.</summary>
    public UniqueAddress LocalAddress { get; private set; } = null!;
    internal HandshakeConfig HandshakeConfig { get; private set; } = null!;

    public long DroppedOutboundCount => Interlocked.Read(ref _droppedOutbound);
    /// <summary>Inbound messages dropped because they could not be deserialized.</summary>
    public long DroppedInboundCount => Interlocked.Read(ref _droppedInbound);
    public long ReceivedCount => Interlocked.Read(ref _received);
    public IReadOnlyCollection<UniqueAddress> Quarantined => _quarantined.Keys.ToArray();
    public IReadOnlyCollection<Association> Associations => _associations.Values.ToArray();

    /// <summary>
    /// Binds and starts accepting. Throws (one sentence) for a non-loopback bind without a
    /// secret, or when the port is taken.
    /// </summary>
    public void Start()
    {
        Settings.EnsureSafeToBind();
        var ip = IPAddress.TryParse(Settings.Hostname, out var parsed)
            ? parsed
            : Dns.GetHostAddresses(Settings.Hostname).FirstOrDefault()
              ?? throw new InvalidOperationException($"Cannot resolve kvactors.remote.hostname '{Settings.Hostname}'.");
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(ip, Settings.Port));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Cannot listen on {Settings.Hostname}:{Settings.Port}: {e.Message}.", e);
        }
        _listenSocket = socket;
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        LocalAddress = new UniqueAddress(Address.Tcp(SystemName, Settings.Hostname, port), UniqueAddress.NewUid());
        HandshakeConfig = new HandshakeConfig(LocalAddress, Settings.Secret, _rng, IsQuarantined);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _log.LogInformation("Remoting listening on {Address} (uid {Uid}).", LocalAddress.Address, LocalAddress.Uid);
    }

    /// <summary>The association for <paramref name="address"/>, created (not yet connected) if new.</summary>
    public Association Associate(Address address)
    {
        if (address.Host is null || address.Port is null)
            throw new ArgumentException($"'{address}' has no host:port to connect to.");
        if (_associations.TryGetValue(address, out var a)) return a;
        var created = new Association(this, address, _log);
        a = _associations.GetOrAdd(address, created);
        if (ReferenceEquals(a, created))
        {
            if (Volatile.Read(ref _disposed) != 0) _ = created.StopAsync();
            else created.Start();
        }
        return a;
    }

    /// <summary>Sends to whatever incarnation currently lives at <paramref name="to"/>.</summary>
    public SendResult Send(Address to, in OutboundEnvelope envelope)
    {
        if (Volatile.Read(ref _disposed) != 0) return DropHere(to, envelope, DropReason.ShutDown, SendResult.ShutDown);
        // Callers reuse their Address instances; finding the association by identity skips hashing
        // and comparing the record's strings on every message. Associations are never replaced,
        // so a hint, once made, stays right. A miss costs the dictionary lookup plus one small object.
        ref var slot = ref _byIdentity[RuntimeHelpers.GetHashCode(to) & (_byIdentity.Length - 1)];
        var hint = Volatile.Read(ref slot);
        Association a;
        if (hint is not null && ReferenceEquals(hint.Address, to)) a = hint.Association;
        else
        {
            a = Associate(to);
            Volatile.Write(ref slot, new AssociationHint(to, a));
        }
        return a.Send(envelope);
    }

    /// <summary>
    /// Sends to one incarnation: dropped if it is quarantined or if a newer incarnation has
    /// replaced it (messages for an old uid must not reach the new process).
    /// </summary>
    public SendResult Send(UniqueAddress to, in OutboundEnvelope envelope)
    {
        if (_quarantined.ContainsKey(to)) return DropHere(to.Address, envelope, DropReason.Quarantined, SendResult.Quarantined);
        var known = KnownUid(to.Address);
        if (known != 0 && known != to.Uid) return DropHere(to.Address, envelope, DropReason.StaleIncarnation, SendResult.StaleIncarnation);
        return Send(to.Address, envelope);
    }

    public bool IsQuarantined(UniqueAddress remote) => _quarantined.ContainsKey(remote);

    /// <summary>
    /// Never talk to this incarnation again: its connections close, its handshakes are refused,
    /// messages to it are dropped. A new incarnation (new uid) at the same address is not affected.
    /// </summary>
    public void Quarantine(UniqueAddress remote, string reason)
    {
        if (!_quarantined.TryAdd(remote, reason)) return;
        _log.LogWarning("Quarantined {Remote}: {Reason}.", remote, reason);
        if (_associations.TryGetValue(remote.Address, out var a)) a.OnQuarantined(remote);
        foreach (var c in _inbound.Keys)
            if (c.Remote == remote) c.Abort();
        RaiseEvent(new AssociationEvent(AssociationEventKind.Quarantined, remote.Address, remote, Reason: reason));
    }

    /// <summary>The uid last seen at <paramref name="address"/>, 0 if none.</summary>
    public long KnownUid(Address address)
    {
        lock (_knownUids) return _knownUids.TryGetValue(address, out var uid) ? uid : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        try { _listenSocket?.Dispose(); } catch { /* closing */ }
        try { await _acceptLoop.ConfigureAwait(false); } catch { /* cancelled */ }
        await Task.WhenAll(_associations.Values.Select(a => a.StopAsync())).ConfigureAwait(false);
        foreach (var c in _inbound.Keys) c.Abort();
        try { await Task.WhenAll(_inbound.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } catch { /* logged inside */ }
        _log.LogInformation("Remoting on {Address} stopped.", LocalAddress?.Address);
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listenSocket!.AcceptAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                if (ct.IsCancellationRequested) return;
                _log.LogWarning("Accept failed: {Reason}.", e.Message);
                continue;
            }
            s.NoDelay = true;
            var c = new InboundConnection(this, s, _log);
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inbound[c] = tcs.Task;
            _ = Task.Run(async () =>
            {
                try { await c.RunAsync(ct).ConfigureAwait(false); }
                catch (Exception e) { _log.LogError(e, "Inbound connection loop failed."); }
                finally { _inbound.TryRemove(c, out _); tcs.TrySetResult(); }
            });
        }
    }

    // ---- callbacks from associations and connections ----

    internal bool LogFirst(string key) => _logOnce.First(key);

    internal void OnOutboundEstablished(Association a, UniqueAddress remote)
    {
        _logOnce.Forget($"connect|{a.RemoteAddress}");
        NoteIncarnation(remote, inbound: false);
    }

    internal void OnInboundEstablished(InboundConnection c, UniqueAddress remote) => NoteIncarnation(remote, inbound: true);

    internal void OnInboundClosed(InboundConnection c, bool established)
    {
        if (established && Volatile.Read(ref _disposed) == 0)
            RaiseEvent(new AssociationEvent(AssociationEventKind.Disassociated, c.Remote!.Address, c.Remote, Inbound: true, Reason: "inbound connection closed"));
    }

    /// <summary>A handshake proved <paramref name="remote"/>: detect a new incarnation at its address.</summary>
    private void NoteIncarnation(UniqueAddress remote, bool inbound)
    {
        long previous;
        lock (_knownUids)
        {
            previous = _knownUids.TryGetValue(remote.Address, out var p) ? p : 0;
            _knownUids[remote.Address] = remote.Uid;
        }
        if (previous != 0 && previous != remote.Uid)
        {
            var old = new UniqueAddress(remote.Address, previous);
            _log.LogInformation("New incarnation of {Address}: uid {Old} replaced by {New}.", remote.Address, previous, remote.Uid);
            // The old process is gone; a connection still bound to it must not carry new traffic.
            if (_associations.TryGetValue(remote.Address, out var a) && a.Remote == old) a.Abort();
            foreach (var c in _inbound.Keys)
                if (c.Remote == old) c.Abort();
            RaiseEvent(new AssociationEvent(AssociationEventKind.IncarnationReplaced, remote.Address, remote, old, inbound));
        }
        RaiseEvent(new AssociationEvent(AssociationEventKind.Associated, remote.Address, remote, Inbound: inbound));
    }

    /// <summary>Inbound connections count per read buffer, not per message (one interlocked add per batch).</summary>
    internal void CountReceived(int messages) => Interlocked.Add(ref _received, messages);

    internal void Deliver(in InboundEnvelope envelope)
    {
        try { _listener.OnInbound(envelope); }
        catch (Exception e) { _log.LogError(e, "Inbound handler threw for a message to {Recipient}.", envelope.Recipient); }
    }

    internal void CountInboundDropped() => Interlocked.Increment(ref _droppedInbound);

    internal void ReportDropped(in DroppedEnvelope dropped)
    {
        Interlocked.Increment(ref _droppedOutbound);
        try { _listener.OnDropped(dropped); }
        catch (Exception e) { _log.LogError(e, "Dropped-message handler threw."); }
    }

    internal void RaiseEvent(AssociationEvent e)
    {
        try { _listener.OnAssociationEvent(e); }
        catch (Exception ex) { _log.LogError(ex, "Association event handler threw for {Event}.", e.Kind); }
    }

    private SendResult DropHere(Address to, in OutboundEnvelope envelope, DropReason reason, SendResult result)
    {
        ReportDropped(new DroppedEnvelope(to, envelope, reason));
        return result;
    }

    private sealed record AssociationHint(Address Address, Association Association);
}
