using Akka.Actor;
using Akka.Event;
using Akka.Hosting.Logging;

namespace KvActors.Node.Hosting;

/// <summary>
/// Akka.Hosting's logger into Microsoft.Extensions.Logging, honouring the actor system's log filters
/// (<see cref="LogFilterSetup"/>, e.g. <see cref="ClientDisconnectFilter"/>): Akka's own console logger applies them,
/// Akka.Hosting's <see cref="LoggerFactoryLogger"/> (1.5.73) does not. Unless
/// <c>kvactors.node.log-peer-disconnect-traces</c> is on, it also cuts a peer's lost association to one line
/// (<see cref="PeerDisconnectFilter.Shorten"/>).
/// </summary>
public sealed class FilteredLoggerFactoryLogger : LoggerFactoryLogger
{
    private readonly LogFilterEvaluator _filter = Context.System.Settings.LogFilter;
    private readonly bool _peerTraces = Context.System.Settings.Config.GetBoolean("kvactors.node.log-peer-disconnect-traces", false);

    protected override void Log(LogEvent log, ActorPath path)
    {
        if (_filter.ShouldTryKeepMessage(log, out _))
            base.Log(_peerTraces ? log : PeerDisconnectFilter.Shorten(log), path);
    }
}
