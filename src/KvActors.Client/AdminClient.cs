using System.Diagnostics;
using System.Globalization;
using KvActors.Actor;
using KvActors.Client.Protocol;
using KvActors.Hocon;

namespace KvActors.Client;

/// <summary>
/// The operator's connection to a cluster: a small remote actor system of its own ("kv-cli",
/// any free port) that finds a node's admin actor from the seed list and asks it things.
/// Every failure surfaces as an <see cref="AdminClientException"/> with one sentence.
/// </summary>
public sealed class AdminClient : IAsyncDisposable
{
    public const string ClientSystemName = "kv-cli";

    private readonly ActorSystem _system;
    private readonly IActorRef _admin;

    private AdminClient(ActorSystem system, IActorRef admin, HostPort node, TimeSpan timeout)
    {
        _system = system;
        _admin = admin;
        Node = node;
        Timeout = timeout;
    }

    /// <summary>The node that answered (the first seed, in order, that did).</summary>
    public HostPort Node { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Starts the client system and finds a node; throws when none answers within the timeout.</summary>
    public static async Task<AdminClient> ConnectAsync(AdminClientOptions options)
    {
        if (options.Seeds.Count == 0) throw new AdminClientException("No seed address was given: use --seeds host:port[,host:port...].");
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(ClientSystemName, ClientConfig(options));
        }
        catch (Exception e) when (e is HoconException or ArgumentException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            throw new AdminClientException($"The client could not start its own endpoint on {options.Host}: {e.Message.TrimEnd('.')}.", e);
        }
        try
        {
            var (node, admin) = await FindNode(system, options).ConfigureAwait(false);
            return new AdminClient(system, admin, node, options.Timeout);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Asks every seed at once so the whole search fits in one timeout, but prefers seeds in the
    /// order given: a later seed is used only when every earlier one has failed.
    /// </summary>
    private static async Task<(HostPort, IActorRef)> FindNode(ActorSystem system, AdminClientOptions options)
    {
        var attempts = options.Seeds
            .Select(seed => (Seed: seed, Task: system.ActorSelection(AdminPaths.AdminActor(options.SystemName, seed)).ResolveOne(options.Timeout)))
            .ToList();
        foreach (var (seed, task) in attempts)
        {
            try
            {
                return (seed, await task.ConfigureAwait(false));
            }
            catch (ActorNotFoundException)
            {
                // This seed is down, unreachable, refused the secret or has no admin actor: try the next.
            }
        }
        var where = string.Join(", ", options.Seeds);
        throw new AdminClientException($"No node answered at {where} within {Seconds(options.Timeout)} s.");
    }

    private static Config ClientConfig(AdminClientOptions options) => Config.Parse($"""
        kvactors.actor.provider = remote
        kvactors.remote.hostname = {Quote(options.Host)}
        kvactors.remote.port = 0
        kvactors.remote.secret = {Quote(options.Secret)}
        # A short-lived client: a node that is down is expected, not worth a log line.
        kvactors.log-dead-letters = off
        kvactors.remote.shutdown-flush-timeout = 1s
        """, "<kv client>");

    /// <summary>A HOCON quoted string (JSON escaping is valid HOCON).</summary>
    internal static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

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

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
