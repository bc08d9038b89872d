using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using KvActors.Store.Configuration;

namespace KvActors.Benchmarks;

/// <summary>
/// Actor-system configuration for the benchmarks: always hocon/reference.conf
/// (<see cref="KvConfig.Reference"/>, the settings kvnode runs with) under a few overrides, and
/// Akka's log captured by <see cref="RecordingLogger"/> instead of printed among the figures.
/// </summary>
public static class BenchAkka
{
    /// <summary>The system name every kvnode uses (kvactors.node.system-name); a member of their cluster must use it too.</summary>
    public static string ClusterSystemName => KvConfig.Reference.GetString("kvactors.node.system-name", "kvactors");

    /// <summary>reference.conf with <paramref name="overrides"/> (HOCON) on top, on loopback, logging to <see cref="RecordingLogger"/>.</summary>
    public static Config Config(string overrides) =>
        ConfigurationFactory.ParseString($$"""
            {{overrides}}
            akka.loggers = ["{{typeof(RecordingLogger).AssemblyQualifiedName}}"]
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            # Before the loggers start and after they stop, Akka logs through this one instead of stdout.
            akka.stdout-logger-class = "{{typeof(QuietStdoutLogger).AssemblyQualifiedName}}"
            akka.stdout-loglevel = WARNING
            """).WithFallback(KvConfig.Reference);

    public static Address SelfAddress(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;
}

/// <summary>
/// Akka logger that keeps every line (with the Stopwatch timestamp of its arrival) for the
/// benchmarks' timelines, and echoes lines at or above <see cref="EchoLevel"/> to stderr.
/// </summary>
public sealed class RecordingLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private const int MaxLines = 200_000;

    public static ConcurrentQueue<(long At, LogLevel Level, string Line)> Lines { get; } = new();

    /// <summary>Lines at this level or above also go to stderr; null = none.</summary>
    public static LogLevel? EchoLevel { get; set; } = LogLevel.WarningLevel;

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Record(e);
                return true;
            default:
                return false;
        }
    }

    internal static void Record(LogEvent e)
    {
        var line = $"{e.LogLevel().ToString().Replace("Level", "", StringComparison.Ordinal).ToUpperInvariant()} [{e.LogSource}] {e.Message}{(e.Cause is null ? "" : $" ({e.Cause.GetType().Name}: {e.Cause.Message})")}";
        Lines.Enqueue((Stopwatch.GetTimestamp(), e.LogLevel(), line));
        while (Lines.Count > MaxLines) Lines.TryDequeue(out _);
        if (EchoLevel is { } echo && e.LogLevel() >= echo) Console.Error.WriteLine($"# akka: {line}");
    }
}

/// <summary>
/// Akka's logger before the configured loggers start and after they stop (akka.stdout-logger-class):
/// instead of printing among the figures on stdout, it records like <see cref="RecordingLogger"/>.
/// </summary>
public sealed class QuietStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is LogEvent e) RecordingLogger.Record(e);
    }
}
