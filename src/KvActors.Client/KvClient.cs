using System.Collections.Concurrent;
using Partitioner = KvActors.Store.Partitioning.Partitioner;
using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Google.Protobuf;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Security;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Ring;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

/// <summary>
/// The store's client: a non-member Akka.Remote system of its own that fetches the ring from any seed's
/// <c>/user/ring-keeper</c> and sends each request straight to its partition's primary (<c>/user/shards</c>).
/// NotPrimary (the ring is refreshed and the hint used), RetryLater and unanswered attempts are retried with the
/// same client id and request id, so the store applies a write at most once, until the request's deadline
/// (<see cref="KvClientOptions.Timeout"/>). Only a committed write (WriteDone) is reported as done; a refusal
/// (a key or value over its limit) fails at once. Every failure is a <see cref="KvClientException"/> with one
/// sentence. Thread-safe: any number of requests may be in flight; those bound for the same node at the same time
/// travel together in one <see cref="KvRequestBatch"/> (see <see cref="RequestCourier"/>).
/// </summary>
public sealed partial class KvClient : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);

    private readonly ActorSystem _system;
    private readonly KvClientOptions _options;
    private readonly ClusterCertificate? _certificate;
    private readonly bool _tls;
    private readonly string _protocol;
    private readonly Timer _refreshTimer;
    private readonly object _refreshLock = new();
    private Task? _refreshing;
    private long _nextRequestId;
    private volatile RingView? _ring;
    private volatile string? _ringStatus;
    private int _disposed;
    private readonly long _maxMessageBytes;
    private readonly bool _ownsSystem = true;
    private readonly IActorRef _courier;
    private readonly IActorRef _follower;
    private readonly CourierCounters _counters = new();
    private readonly PendingReplies _pending;
    private readonly ConcurrentDictionary<HostPort, IActorRef> _shardHosts = new();
    private readonly ConcurrentDictionary<string, IActorRef?> _shardHostsByName = new();

    /// <summary>Most bytes of requests in one batch: well under the frame size, so a batch never waits on a huge one.</summary>
    private const int MaxBatchBytes = 1 << 20;

    /// <summary>Room left in a frame for Akka.Remote's envelope (recipient and sender paths, manifest).</summary>
    private const int FrameOverhead = 1024;

    private sealed record RingView(RingState State, Partitioner Partitioner);

    /// <summary>Where a request was answered; its <see cref="KvPlacement"/> is built only for callers that report it.</summary>
    private readonly record struct Route(RingView View, int Partition, string Node)
    {
        public KvPlacement Placement() => KvClient.Placement(View, Partition, Node);
    }

    private KvClient(ActorSystem system, KvClientOptions options, ClusterCertificate? certificate, bool ownsSystem = true)
    {
        _system = system;
        _ownsSystem = ownsSystem;
        _options = options;
        _certificate = certificate;
        _tls = certificate is not null;
        // An attached client speaks its system's own transport (a node's, whatever adapters it runs); an own system speaks plain or TLS TCP.
        _protocol = ownsSystem ? AdminPaths.Protocol(_tls) : ((ExtendedActorSystem)system).Provider.DefaultAddress.Protocol;
        _maxMessageBytes = (system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128000) - FrameOverhead;
        _refreshTimer = new Timer(_ => _ = RefreshQuietly(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // An attempt that timed out no longer counts as in flight at the courier.
        _pending = new PendingReplies(requestId => _courier!.Tell(new RequestCourier.Forget(requestId)));
        // One courier per client, so several clients may be attached to one actor system.
        _courier = system.ActorOf(RequestCourier.Props(_pending.Answered, MaxBatchBytes, _counters), $"courier-{ClientId}");
        _follower = system.ActorOf(RingFollower.Props(Offer), $"ring-follower-{ClientId}");
    }

    /// <summary>
    /// The shard host of the ring node named <paramref name="node"/> ("host:port"), parsed and resolved once; null when
    /// the name is not an address.
    /// </summary>
    private IActorRef? ShardHostOf(string node) =>
        _shardHostsByName.GetOrAdd(node, static (name, client) => HostPort.TryParse(name, out _) is { } endpoint ? client.ShardHostOf(endpoint) : null, this);

    /// <summary>The shard host of the node at <paramref name="node"/>, resolved locally once (no round trip).</summary>
    private IActorRef ShardHostOf(HostPort node) =>
        _shardHosts.GetOrAdd(node, n => ((ExtendedActorSystem)_system).Provider.ResolveActorRef(
            $"{_protocol}://{_options.SystemName}@{n.Host}:{n.Port}{StoreHost.ShardsPath}"));

    /// <summary>Names this client's requests (with a request id each): random per instance.</summary>
    public string ClientId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The epoch of the ring the client routes by; -1 before it has one.</summary>
    public long RingEpoch => _ring?.State.Epoch ?? -1;

    /// <summary>How the client's requests and answers were batched so far (for benchmarks and diagnostics).</summary>
    public KvClientBatching Batching => _counters.Read();

    /// <summary>The ring the client routes by (the newest any node gave it); null before it has one.</summary>
    public RingState? Ring => _ring?.State;

    /// <summary>
    /// Asks the ring's nodes and the seeds for a ring newer than the client's and returns once one gave it, or all
    /// answered, or the timeout passed: for callers that must see a change (a failover, a join) before going on.
    /// </summary>
    public Task RefreshRingAsync() => Bounded(Refresh(RingEpoch), _options.Timeout);

    /// <summary>
    /// Starts the client system and fetches the ring from the seeds; throws when no seed answers within the timeout.
    /// A cluster that has not formed its first ring yet is not an error here: requests wait for it until their deadline.
    /// </summary>
    public static async Task<KvClient> ConnectAsync(KvClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Seeds.Count == 0) throw new KvClientException("No seed address was given: use --seeds host:port[,host:port...].");
        CheckAttemptTimeout(options);
        var (system, certificate) = ClientSystem.Start(options.Host, options.CertificatePath, options.CertificatePasswordVariable,
            (message, cause) => new KvClientException(message, cause));
        var client = new KvClient(system, options, certificate);
        try
        {
            await client.FirstRing().ConfigureAwait(false);
            client.FollowRing();
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        client._refreshTimer.Change(options.RingRefreshInterval, options.RingRefreshInterval);
        return client;
    }

    /// <summary>
    /// A client on an actor system that already runs, such as a node's own (its RESP front end routes through it): it
    /// neither starts nor terminates <paramref name="system"/>. It fetches the ring from <paramref name="options"/>'
    /// seeds (typically the node itself) in the background, so it returns at once; requests wait for a ring until their
    /// deadline. <paramref name="certificate"/> is the cluster's when the system runs mutual TLS.
    /// </summary>
    public static KvClient Attach(ActorSystem system, KvClientOptions options, ClusterCertificate? certificate = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Seeds.Count == 0) throw new KvClientException("No seed address was given: an attached client needs at least its own node.");
        CheckAttemptTimeout(options);
        var client = new KvClient(system, options, certificate, ownsSystem: false);
        client._refreshTimer.Change(TimeSpan.Zero, options.RingRefreshInterval);
        return client;
    }

    private static void CheckAttemptTimeout(KvClientOptions options)
    {
        if (options.AttemptTimeout <= TimeSpan.Zero)
            throw new KvClientException($"The attempt timeout must be positive, got {options.AttemptTimeout.TotalMilliseconds:0} ms.");
    }

    /// <summary>Asks every seed at once and keeps the newest ring; fails only when no seed answers at all.</summary>
    private async Task FirstRing()
    {
        var answers = await Task.WhenAll(_options.Seeds.Select(seed => AskRing(seed, _options.Timeout))).ConfigureAwait(false);
        if (answers.All(a => a.Failure is not null))
            throw new KvClientException($"No node answered: {string.Join("; ", answers.Select(a => $"{a.Node} {a.Failure}"))}.");
        foreach (var answer in answers)
        {
            if (answer.Ring is not null) Offer(answer.Ring);
            else if (answer.Status is not null) _ringStatus = answer.Status;
        }
    }

    private readonly record struct RingAnswer(HostPort Node, RingState? Ring, string? Status, string? Failure);

    private async Task<RingAnswer> AskRing(HostPort node, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var refusal = await EndpointProbe.ProbeAsync(node, _certificate, timeout).ConfigureAwait(false);
        if (refusal is not null) return new RingAnswer(node, null, null, refusal);
        var remaining = timeout - clock.Elapsed;
        if (remaining <= TimeSpan.Zero) return new RingAnswer(node, null, null, $"did not answer within {AdminClient.Seconds(timeout)} s");
        try
        {
            var path = $"{_protocol}://{_options.SystemName}@{node.Host}:{node.Port}{RingPaths.KeeperPath}";
            var reply = await _system.ActorSelection(path).Ask<RingReply>(new GetRing(), remaining).ConfigureAwait(false);
            var ring = RingWire.FromProtoOrNull(reply.Ring);
            return new RingAnswer(node, ring, ring is null ? NullIfEmpty(reply.Status) ?? "the cluster has not formed its first ring yet" : null, null);
        }
        catch (AskTimeoutException)
        {
            var hint = _tls ? " (is it started with the same --cert, and is --system right?)" : " (if the cluster uses TLS, pass --cert)";
            return new RingAnswer(node, null, null, $"accepted the connection but its ring keeper did not answer within {AdminClient.Seconds(timeout)} s{hint}");
        }
        catch (FormatException e)
        {
            return new RingAnswer(node, null, null, $"answered with a ring the client cannot read ({e.Message.TrimEnd('.')})");
        }
        catch (Exception e) when (e is InvalidCastException or ActorNotFoundException)
        {
            return new RingAnswer(node, null, null, "answered with an unexpected message (is it a different version?)");
        }
    }

    private void Offer(RingState ring)
    {
        while (true)
        {
            var current = _ring;
            if (current is not null && current.State.Epoch >= ring.Epoch) return;
            var partitioner = current?.Partitioner.PartitionCount == ring.PartitionCount ? current.Partitioner : new Partitioner(ring.PartitionCount);
            if (Interlocked.CompareExchange(ref _ring, new RingView(ring, partitioner), current) != current) continue;
            if (current is null) FollowRing(); // from the seeds to the ring's own nodes at once, not at the next renewal
            else _pending.Reroute(attempt => PrimaryMoved(ring, attempt));
            return;
        }
    }

    /// <summary>Whether <paramref name="ring"/> names a primary for the attempt's partition other than the node it went to.</summary>
    private static bool PrimaryMoved(RingState ring, PendingReplies.Attempt attempt) =>
        attempt.Partition >= 0 && attempt.Partition < ring.PartitionCount && ring[attempt.Partition].Primary is { } primary && primary.Value != attempt.Node;

    /// <summary>
    /// Asks the ring's nodes, the seeds and <paramref name="hint"/> at once; returns as soon as one gives a ring newer than
    /// <paramref name="beyondEpoch"/>, else when all have answered or failed. One refresh at a time: callers share it.
    /// </summary>
    private Task Refresh(long beyondEpoch, string? hint = null)
    {
        lock (_refreshLock)
        {
            if (_refreshing is { IsCompleted: false } running) return running;
            _refreshing = RefreshOnce(beyondEpoch, hint);
            return _refreshing;
        }
    }

    private async Task RefreshOnce(long beyondEpoch, string? hint)
    {
        var candidates = new List<HostPort>();
        void Add(string? node)
        {
            if (node is not null && HostPort.TryParse(node, out _) is { } parsed && !candidates.Contains(parsed)) candidates.Add(parsed);
        }
        Add(hint);
        if (_ring is { } view) foreach (var node in view.State.Nodes) Add(node.Value);
        foreach (var seed in _options.Seeds) Add(seed.ToString());
        var timeout = _options.AttemptTimeout < _options.Timeout ? _options.AttemptTimeout : _options.Timeout;
        var pending = candidates.Select(c => AskRing(c, timeout)).ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            var answer = await done.ConfigureAwait(false);
            if (answer.Ring is { } ring)
            {
                Offer(ring);
                if (ring.Epoch > beyondEpoch) return;
            }
            else if (answer.Status is not null && _ring is null)
            {
                _ringStatus = answer.Status;
            }
        }
    }

    private async Task RefreshQuietly()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        FollowRing();
        try { await Refresh(RingEpoch).ConfigureAwait(false); }
        catch (Exception e) when (e is not OutOfMemoryException) { /* the next request or tick tries again */ }
    }

    /// <summary>Most nodes whose keepers push ring changes to this client: more than one, so a dead node is no gap.</summary>
    private const int FollowedNodes = 3;

    /// <summary>
    /// Subscribes (again) at the keepers of the ring's first nodes (the seeds' before the client has a ring: a seed that
    /// is no member any more would only cost a refused association each renewal) for three refresh intervals, so one
    /// lost renewal costs nothing; the refresh timer renews it, and moves it off nodes that left the ring.
    /// </summary>
    private void FollowRing()
    {
        var candidates = _ring is { } view ? view.State.Nodes.Select(n => n.Value) : _options.Seeds.Select(s => s.ToString());
        var nodes = candidates.Select(n => HostPort.TryParse(n, out _)).OfType<HostPort>().Distinct().Take(FollowedNodes)
            .Select(n => $"{_protocol}://{_options.SystemName}@{n.Host}:{n.Port}{RingPaths.KeeperPath}").ToList();
        _follower.Tell(new RingFollower.Follow(nodes, 3 * _options.RingRefreshInterval));
    }

    /// <summary>Where <paramref name="key"/> lives according to the client's ring; null before the client has a ring.</summary>
    public KvPlacement? PlacementOf(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _ring is { } view ? Placement(view, view.Partitioner.PartitionOf(key), null) : null;
    }

    public KvPlacement? PlacementOf(string key) => PlacementOf(Utf8(key));

    private static KvPlacement Placement(RingView view, int partition, string? answeredBy)
    {
        var set = view.State[partition];
        var primary = answeredBy ?? set.Primary?.Value;
        var replicas = set.InSync.Concat(set.Learners).Select(n => n.Value).Where(n => n != primary).ToList();
        return new KvPlacement(partition, view.State.Epoch, primary, replicas);
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>; returns once the write is committed at every in-sync replica.</summary>
    public async Task<KvWriteResult> PutAsync(byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var k = ByteString.CopyFrom(key);
        var v = ByteString.CopyFrom(value);
        var (reply, route) = await Send(key, id => new KvRequest { Put = new PutRequest { ClientId = ClientId, RequestId = id, Key = k, Value = v } }).ConfigureAwait(false);
        return WriteResult(reply, route, "PUT");
    }

    public Task<KvWriteResult> PutAsync(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PutAsync(Utf8(key), Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The committed value under <paramref name="key"/> (a leased read at the primary); null when the key has none.</summary>
    public async Task<byte[]?> GetAsync(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = ByteString.CopyFrom(key);
        var (reply, _) = await Send(key, id => new KvRequest { Get = new GetRequest { ClientId = ClientId, RequestId = id, Key = k } }).ConfigureAwait(false);
        if (reply.ResultCase != KvReply.ResultOneofCase.ReadDone)
            throw new KvClientException($"The store answered a GET with {reply.ResultCase} (is it a different version?).");
        return reply.ReadDone.Found ? reply.ReadDone.Value.ToByteArray() : null;
    }

    /// <summary>The committed value under <paramref name="key"/> as UTF-8 text; null when the key has none.</summary>
    public async Task<string?> GetAsync(string key) =>
        await GetAsync(Utf8(key)).ConfigureAwait(false) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// A possibly stale read of <paramref name="key"/> from the replica on <paramref name="node"/> ("host:port"): that
    /// node's committed state, which may lag the primary's. For comparing replicas (after a repair, in tests); fails
    /// when the node holds no replica of the key's partition.
    /// </summary>
    public async Task<KvReplicaRead> ReadReplicaAsync(byte[] key, string node)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(node);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (HostPort.TryParse(node, out var error) is not { } endpoint) throw new KvClientException(error!);
        var request = new GetRequest { ClientId = ClientId, RequestId = Interlocked.Increment(ref _nextRequestId), Key = ByteString.CopyFrom(key), Stale = true };
        var path = $"{_protocol}://{_options.SystemName}@{endpoint.Host}:{endpoint.Port}{StoreHost.ShardsPath}";
        var clock = Stopwatch.StartNew();
        var backoff = TimeSpan.FromMilliseconds(20);
        var problem = "no attempt was made";
        while (true)
        {
            var remaining = _options.Timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw new KvClientException($"The replica read was not completed within {AdminClient.Seconds(_options.Timeout)} s: {problem.TrimEnd('.')}.");
            var wait = _options.AttemptTimeout < remaining ? _options.AttemptTimeout : remaining;
            KvReply reply;
            try
            {
                reply = await _system.ActorSelection(path).Ask<KvReply>(request, wait).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                problem = $"{node} did not answer within {AdminClient.Seconds(wait)} s";
                continue;
            }
            switch (reply.ResultCase)
            {
                case KvReply.ResultOneofCase.ReadDone:
                    return new KvReplicaRead(reply.ReadDone.Found ? reply.ReadDone.Value.ToByteArray() : null, reply.ReadDone.AsOfSeq, node);
                case KvReply.ResultOneofCase.NotPrimary:
                    throw new KvClientException($"{node} holds no serving replica of the key's partition (ring epoch {reply.NotPrimary.Epoch}).");
                case KvReply.ResultOneofCase.Refused:
                    throw new KvClientException(NullIfEmpty(reply.Refused.Reason) ?? $"{node} refused the request.") { Refused = true };
                default:
                    problem = $"{node} answered {reply.ResultCase}";
                    await Pause(ref backoff, _options.Timeout - clock.Elapsed).ConfigureAwait(false);
                    continue;
            }
        }
    }

    /// <summary>Deletes <paramref name="key"/> once committed; true when it held a value (a repeat delete is false).</summary>
    public async Task<bool> DeleteAsync(byte[] key) => (await DeleteWithPlacementAsync(key).ConfigureAwait(false)).Existed;

    public Task<bool> DeleteAsync(string key) => DeleteAsync(Utf8(key));

    /// <summary>As <see cref="DeleteAsync(byte[])"/>, with the sequence number and where the delete was committed.</summary>
    public async Task<KvWriteResult> DeleteWithPlacementAsync(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = ByteString.CopyFrom(key);
        var (reply, route) = await Send(key, id => new KvRequest { Delete = new DeleteRequest { ClientId = ClientId, RequestId = id, Key = k } }).ConfigureAwait(false);
        return WriteResult(reply, route, "DELETE");
    }

    private static KvWriteResult WriteResult(KvReply reply, Route route, string verb) =>
        reply.ResultCase == KvReply.ResultOneofCase.WriteDone
            ? new KvWriteResult(reply.WriteDone.Existed, reply.WriteDone.Seq, route.Placement())
            : throw new KvClientException($"The store answered a {verb} with {reply.ResultCase}, not a committed write (is it a different version?).");

    /// <summary>
    /// <paramref name="request"/> as sent again: a write's copy says it was sent before (<see cref="PutRequest.Resent"/>),
    /// so a primary that no longer keeps its answer refuses it rather than risk running it twice. Reads go unmarked.
    /// </summary>
    internal static KvRequest MarkedResent(KvRequest request)
    {
        switch (request.RequestCase)
        {
            case KvRequest.RequestOneofCase.Put when !request.Put.Resent:
                var put = request.Put.Clone();
                put.Resent = true;
                return new KvRequest { Put = put };
            case KvRequest.RequestOneofCase.Delete when !request.Delete.Resent:
                var delete = request.Delete.Clone();
                delete.Resent = true;
                return new KvRequest { Delete = delete };
            case KvRequest.RequestOneofCase.Command when !request.Command.Resent:
                var command = request.Command.Clone();
                command.Resent = true;
                return new KvRequest { Command = command };
            default:
                return request;
        }
    }

    /// <summary>
    /// Sends one request (built once, with one request id) to its partition's primary until a final answer
    /// (WriteDone, ReadDone) or the deadline; Refused fails at once.
    /// </summary>
    private async Task<(KvReply Reply, Route Route)> Send(byte[] key, Func<long, KvRequest> build)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var requestId = Interlocked.Increment(ref _nextRequestId);
        var message = build(requestId);
        // Akka.Remote drops a message over its frame size without a word; say so now rather than time out.
        var size = message.CalculateSize();
        if (size > _maxMessageBytes)
            throw new KvClientException($"The request is {size} bytes, over the {_maxMessageBytes} bytes one remote message may carry (akka.remote.dot-netty.tcp.maximum-frame-size, less {FrameOverhead} for the envelope).") { Refused = true };
        var started = Stopwatch.GetTimestamp();
        string? target = null; // a NotPrimary hint, tried before the ring's primary
        var problem = "no attempt was made";
        var backoff = TimeSpan.FromMilliseconds(20);
        var sent = false;
        while (true)
        {
            var remaining = _options.Timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
                throw new KvClientException($"The request was not completed within {AdminClient.Seconds(_options.Timeout)} s: {problem.TrimEnd('.')}.");
            var view = _ring;
            if (view is null)
            {
                problem = $"the client has no ring yet ({(_ringStatus ?? "no node gave one").TrimEnd('.')})";
                await Bounded(Refresh(-1), remaining).ConfigureAwait(false);
                await Pause(ref backoff, _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                continue;
            }
            var partition = view.Partitioner.PartitionOf(key);
            var node = target ?? view.State[partition].Primary?.Value;
            if (node is null || ShardHostOf(node) is not { } shards)
            {
                problem = $"partition {partition} has no primary in ring epoch {view.State.Epoch}";
                target = null;
                await Bounded(Refresh(view.State.Epoch), remaining).ConfigureAwait(false);
                await Pause(ref backoff, _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                continue;
            }
            var wait = _options.AttemptTimeout < remaining ? _options.AttemptTimeout : remaining;
            var attempt = _pending.Add(requestId, wait, partition, node);
            KvReply? reply;
            try
            {
                // Every attempt after the first says so, in a copy: the courier may still hold the message sent before.
                if (sent)
                    message = MarkedResent(message);
                _courier.Tell(new RequestCourier.Carry(shards, message));
                sent = true;
                reply = await attempt.Task.ConfigureAwait(false);
            }
            finally
            {
                // Still registered (the send failed): the courier must stop counting it as in flight.
                if (_pending.Withdraw(requestId, attempt))
                    _courier.Tell(new RequestCourier.Forget(requestId));
            }
            if (reply is null && attempt.Rerouted)
            {
                // A pushed ring promoted another primary while this attempt waited: send again now, to it.
                problem = $"{node} stopped leading partition {partition} while the request waited for it";
                target = null;
                continue;
            }
            if (reply is null)
            {
                problem = $"{node} did not answer within {AdminClient.Seconds(wait)} s";
                target = null;
                await Bounded(Refresh(view.State.Epoch), _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                continue;
            }
            switch (reply.ResultCase)
            {
                case KvReply.ResultOneofCase.WriteDone or KvReply.ResultOneofCase.ReadDone:
                    return (reply, new Route(view, partition, node));
                case KvReply.ResultOneofCase.Refused:
                    throw new KvClientException(NullIfEmpty(reply.Refused.Reason) ?? $"{node} refused the request.") { Refused = true };
                case KvReply.ResultOneofCase.NotPrimary:
                    var hint = NullIfEmpty(reply.NotPrimary.Hint);
                    problem = $"{node} is not the primary of partition {partition}{(hint is null ? "" : $" (it named {hint})")}";
                    var stale = reply.NotPrimary.Epoch >= view.State.Epoch ? view.State.Epoch : view.State.Epoch - 1;
                    if (hint is not null && hint != node)
                    {
                        target = hint;
                        _ = Refresh(stale, hint); // follow the hint now; the ring catches up meanwhile
                    }
                    else
                    {
                        target = null;
                        await Bounded(Refresh(stale, hint), _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                        await Pause(ref backoff, _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                    }
                    continue;
                case KvReply.ResultOneofCase.RetryLater:
                    problem = $"{node} asked to retry later ({(NullIfEmpty(reply.RetryLater.Reason) ?? "busy").TrimEnd('.')})";
                    await Pause(ref backoff, _options.Timeout - Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
                    continue;
                default:
                    throw new KvClientException($"{node} answered with an empty reply (is it a different version?).");
            }
        }
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="limit"/>; its failures are the next attempt's concern.</summary>
    private static async Task Bounded(Task task, TimeSpan limit)
    {
        if (limit <= TimeSpan.Zero) return;
        try { await task.WaitAsync(limit).ConfigureAwait(false); }
        catch (Exception e) when (e is not OutOfMemoryException) { /* timed out or failed: retried by the caller */ }
    }

    private static Task Pause(ref TimeSpan backoff, TimeSpan remaining)
    {
        var delay = backoff < remaining ? backoff : remaining;
        backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
        return delay > TimeSpan.Zero ? Task.Delay(delay) : Task.CompletedTask;
    }

    private static byte[] Utf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encoding.UTF8.GetBytes(key);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _refreshTimer.DisposeAsync().ConfigureAwait(false);
        _follower.Tell(RingFollower.Stop.Instance); // ends the subscriptions, then (in order) the actor
        _follower.Tell(PoisonPill.Instance);
        if (!_ownsSystem) return; // attached: the system is its host's
        await ClientSystem.TerminateAsync(_system).ConfigureAwait(false);
    }
}
