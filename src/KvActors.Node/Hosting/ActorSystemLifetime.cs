using Microsoft.Extensions.Hosting;

namespace KvActors.Node.Hosting;

/// <summary>
/// Replaces the host's console lifetime: SIGTERM and Ctrl+C belong to the actor system's
/// coordinated shutdown (RunCoordinatedShutdownOnSignals), and the host stops when the actor
/// system has terminated, whatever started it (a signal, `kv cluster leave`, a downing).
/// </summary>
public sealed class ActorSystemLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
