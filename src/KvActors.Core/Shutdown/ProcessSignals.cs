using System.Runtime.InteropServices;

namespace KvActors.Actor;

public static class ProcessSignals
{
    /// <summary>
    /// Turns SIGTERM and SIGINT (Ctrl+C) into a coordinated shutdown instead of an abrupt exit;
    /// the process should then wait for <see cref="ActorSystem.WhenTerminated"/>. Dispose to unhook.
    /// </summary>
    public static IDisposable RunCoordinatedShutdownOnSignals(this ActorSystem system)
    {
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we exit ourselves once shutdown has finished
                _ = system.CoordinatedShutdown.Run(new ShutdownReason.ProcessSignal(signal.ToString()));
            }))
            .ToList();
        return new Unhook(registrations);
    }

    private sealed class Unhook(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }
}
