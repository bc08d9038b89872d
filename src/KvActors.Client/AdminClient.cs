using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using KvActors.Store.Security;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Admin;
using KvActors.Store.Wire.Ring;

namespace KvActors.Client;

/// <summary>
/// The operator's connection to a cluster: a small Akka.Remote system of its own (any free port,
/// not a member) that finds a node's admin actor from the seed list and asks it things, as
/// Petabridge.Cmd's client does. Every failure surfaces as an <see cref="AdminClientException"/>
/// with one sentence.
/// </summary>
public sealed class AdminClient : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _admin;

    private readonly AdminClientOptions _options;

    private AdminClient(ActorSystem system, IActorRef admin, HostPort node, AdminClientOptions options)
    {
        _system = system;
        _admin = admin;
        _options = options;
        Node = node;
        Timeout = options.Timeout;
    }

    /// <summary>How long a failed connect waits for its client system to stop before reporting.</summary>
    private static readonly TimeSpan FailedConnectTerminateWait = TimeSpan.FromMilliseconds(500);

    /// <summary>The node that answered (the first seed, in order, that did).</summary>
    public HostPort Node { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Starts the client system and finds a node; throws when none answers within the timeout.</summary>
    public static async Task<AdminClient> ConnectAsync(AdminClientOptions options)
    {
        if (options.Seeds.Count == 0) throw new AdminClientException("No seed address was given: use --seeds host:port[,host:port...].");
        var (system, certificate) = ClientSystem.Start(options.Host, options.CertificatePath, options.CertificatePasswordVariable,
            (message, cause) => new AdminClientException(message, cause));
        try
        {
            var (node, admin) = await FindNode(system, options, certificate).ConfigureAwait(false);
            return new AdminClient(system, admin, node, options);
        }
        catch
        {
            // A node that accepted the connection but never answered leaves an association that
            // Akka.Remote flushes for seconds on shutdown; the caller has its answer already.
            await ClientSystem.TerminateAsync(system, FailedConnectTerminateWait).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Asks every seed at once so the whole search fits in one timeout, but prefers seeds in the
    /// order given: a later seed is used only when every earlier one has failed. A seed whose port
    /// refuses connections fails at once rather than after the timeout.
    /// </summary>
    private static async Task<(HostPort, IActorRef)> FindNode(ActorSystem system, AdminClientOptions options, ClusterCertificate? certificate)
    {
        var attempts = options.Seeds.Select(seed => (Seed: seed, Task: Resolve(system, options, certificate, seed))).ToList();
        var reasons = new List<string>();
        foreach (var (seed, task) in attempts)
        {
            var (admin, failure) = await task.ConfigureAwait(false);
            if (admin is not null) return (seed, admin);
            reasons.Add($"{seed} {failure}");
        }
        throw new AdminClientException($"No node answered: {string.Join("; ", reasons)}.");
    }

    private static async Task<(IActorRef? Admin, string? Failure)> Resolve(ActorSystem system, AdminClientOptions options, ClusterCertificate? certificate, HostPort seed)
    {
        var clock = Stopwatch.StartNew();
        var refusal = await EndpointProbe.ProbeAsync(seed, certificate, options.Timeout).ConfigureAwait(false);
        if (refusal is not null) return (null, refusal);
        var remaining = options.Timeout - clock.Elapsed;
        if (remaining <= TimeSpan.Zero) return (null, $"did not answer within {Seconds(options.Timeout)} s");
        try
        {
            var path = AdminPaths.AdminActor(options.SystemName, seed, tls: options.CertificatePath is not null);
            return (await system.ActorSelection(path).ResolveOne(remaining).ConfigureAwait(false), null);
        }
        catch (ActorNotFoundException)
        {
            var tls = options.CertificatePath is null
                ? " (if the cluster uses TLS, pass --cert)"
                : " (is it started with the same --cert, and is --system right?)";
            return (null, $"accepted the connection but its admin actor did not answer within {Seconds(options.Timeout)} s{tls}");
        }
    }

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Round trip to the admin actor; returns the node that answered and the elapsed time.</summary>
    public async Task<(string Node, TimeSpan Latency)> PingAsync()
    {
        var clock = Stopwatch.StartNew();
        var pong = await AskAsync<AdminPong>(new AdminPing()).ConfigureAwait(false);
        return (pong.Node, clock.Elapsed);
    }

    public Task<ClusterShowResponse> ShowAsync() => AskAsync<ClusterShowResponse>(new ClusterShowRequest());

    /// <summary>Null when accepted, else the node's one-sentence reason.</summary>
    public async Task<string?> LeaveAsync(string address) =>
        ErrorOf(await AskAsync<AdminResult>(new ClusterLeaveRequest { Address = address }).ConfigureAwait(false));

    public async Task<string?> DownAsync(string address) =>
        ErrorOf(await AskAsync<AdminResult>(new ClusterDownRequest { Address = address }).ConfigureAwait(false));

    public async Task<string?> JoinAsync(string address) =>
        ErrorOf(await AskAsync<AdminResult>(new ClusterJoinRequest { Address = address }).ConfigureAwait(false));

    /// <summary>The addresses the node downed.</summary>
    public async Task<IReadOnlyList<string>> DownUnreachableAsync()
    {
        var result = await AskAsync<AdminResult>(new ClusterDownUnreachableRequest()).ConfigureAwait(false);
        if (!result.Ok) throw new AdminClientException(result.Error);
        return result.Addresses.ToList();
    }

    /// <summary>
    /// Streams cluster events to <paramref name="onEvent"/> until <paramref name="cancellation"/>
    /// fires (then returns normally) or the node goes away (then throws).
    /// </summary>
    public async Task TailAsync(Action<ClusterEventMessage> onEvent, CancellationToken cancellation)
    {
        var subscribed = new TaskCompletionSource<AdminResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nodeGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = _system.ActorOf(Props.Create(() => new TailSubscriber(_admin, onEvent, subscribed, nodeGone)), "tail");
        try
        {
            var first = await Task.WhenAny(subscribed.Task, Task.Delay(Timeout, cancellation)).ConfigureAwait(false);
            if (cancellation.IsCancellationRequested) return;
            if (first != subscribed.Task) throw new AdminClientException($"The node at {Node} did not accept the subscription within {Seconds(Timeout)} s.");
            var result = await subscribed.Task.ConfigureAwait(false);
            if (!result.Ok) throw new AdminClientException(result.Error);
            var cancelled = new TaskCompletionSource();
            await using var registration = cancellation.Register(() => cancelled.TrySetResult()).ConfigureAwait(false);
            if (await Task.WhenAny(nodeGone.Task, cancelled.Task).ConfigureAwait(false) == nodeGone.Task)
                throw new AdminClientException($"The node at {Node} stopped or became unreachable.");
        }
        finally
        {
            // Stopping the subscriber tells the node (through DeathWatch) to end the stream.
            _system.Stop(subscriber);
        }
    }

    /// <summary>The ring the answering node applied last (its <c>/user/ring-keeper</c>); the reply says why when there is none.</summary>
    public async Task<RingReply> RingAsync()
    {
        try
        {
            return await _system.ActorSelection(PathOf(Node, RingPaths.KeeperPath)).Ask<RingReply>(new GetRing(), Timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new AdminClientException($"The ring keeper of {Node} did not answer within {Seconds(Timeout)} s.", e);
        }
        catch (InvalidCastException e)
        {
            throw new AdminClientException($"The node at {Node} answered with an unexpected message (is it a different version?).", e);
        }
    }

    /// <summary>
    /// What the RingManager says it waits for (its reply's status through the node's <c>/user/ring-route</c>): empty
    /// when nothing, null when the manager did not answer within <paramref name="wait"/> (at most the client's timeout:
    /// none running, or being handed over).
    /// </summary>
    public async Task<string?> ManagerWaitingForAsync(TimeSpan wait)
    {
        try
        {
            var reply = await _system.ActorSelection(PathOf(Node, RingPaths.RoutePath))
                .Ask<RingReply>(new GetRing(), wait < Timeout ? wait : Timeout).ConfigureAwait(false);
            return reply.Status;
        }
        catch (Exception e) when (e is AskTimeoutException or InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>
    /// Asks the RingManager (through the node's <c>/user/ring-route</c>) to stop counting <paramref name="nodes"/> in the
    /// quorums of the rings' nodes: they are gone for good. Its answer says whether it did, and why not.
    /// </summary>
    public async Task<ForgetNodesReply> ForgetAsync(IEnumerable<string> nodes)
    {
        var request = new ForgetNodes();
        request.Nodes.AddRange(nodes);
        try
        {
            return await _system.ActorSelection(PathOf(Node, RingPaths.RoutePath)).Ask<ForgetNodesReply>(request, Timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new AdminClientException($"The RingManager did not answer within {Seconds(Timeout)} s (none may be running, or it is being handed over).", e);
        }
        catch (InvalidCastException e)
        {
            throw new AdminClientException($"The node at {Node} answered with an unexpected message (is it a different version?).", e);
        }
    }

    /// <summary>
    /// The store statistics of every member of <paramref name="show"/> that is reachable and not Down or Removed, asked
    /// of each at once; a member that does not answer within the timeout is left out. Each node waits for its own
    /// partitions half the timeout (a slow partition is reported as unanswered, not waited for).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StoreStatsReply>> StoreStatsAsync(ClusterShowResponse show)
    {
        ArgumentNullException.ThrowIfNull(show);
        var request = new StoreStatsRequest { TimeoutMs = (long)(Timeout.TotalMilliseconds / 2) };
        var asked = show.Members.Where(m => m.Reachable && m.Status is not ("Down" or "Removed"))
            .Select(m => m.Address).Distinct().ToList();
        var answers = await Task.WhenAll(asked.Select(node => AskShards<StoreStatsReply>(node, request))).ConfigureAwait(false);
        var result = new Dictionary<string, StoreStatsReply>(StringComparer.Ordinal);
        for (var i = 0; i < asked.Count; i++)
            if (answers[i] is { } reply) result[asked[i]] = reply;
        return result;
    }

    /// <summary>What the node at <paramref name="node"/> reports about its replica of <paramref name="partition"/>; null when it does not answer in time.</summary>
    public Task<PartitionStatsReply?> PartitionStatsAsync(string node, int partition) =>
        AskShards<PartitionStatsReply>(node, new PartitionStatsRequest { Partition = partition, TimeoutMs = (long)(Timeout.TotalMilliseconds / 2) });

    private async Task<T?> AskShards<T>(string node, object request) where T : class
    {
        if (HostPort.TryParse(node, out _) is not { } endpoint) return null;
        try
        {
            return await _system.ActorSelection(PathOf(endpoint, StoreHost.ShardsPath)).Ask<T>(request, Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or InvalidCastException)
        {
            return null;
        }
    }

    private string PathOf(HostPort node, string actorPath) =>
        $"{AdminPaths.Protocol(_options.CertificatePath is not null)}://{_options.SystemName}@{node.Host}:{node.Port}{actorPath}";

    private async Task<T> AskAsync<T>(object request)
    {
        try
        {
            return await _admin.Ask<T>(request, Timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new AdminClientException($"The node at {Node} did not answer within {Seconds(Timeout)} s.", e);
        }
        catch (InvalidCastException e)
        {
            throw new AdminClientException($"The node at {Node} answered with an unexpected message (is it a different version?).", e);
        }
    }

    private static string? ErrorOf(AdminResult result) => result.Ok ? null : result.Error;

    public async ValueTask DisposeAsync() => await ClientSystem.TerminateAsync(_system).ConfigureAwait(false);
}
