using KvActors.Hocon;

namespace KvActors.Actor;

/// <summary>The actor runtime's settings, read once from the system's config (kvactors.*).</summary>
public sealed class Settings
{
    public Settings(Config config)
    {
        Config = config;
        Throughput = config.GetInt("kvactors.actor.default-dispatcher.throughput");
        DefaultMailboxCapacity = config.GetInt("kvactors.actor.default-mailbox.mailbox-capacity");
        AskTimeout = config.GetTimeSpan("kvactors.actor.ask-timeout");
        CreationTimeout = config.GetTimeSpan("kvactors.actor.creation-timeout");
        SchedulerTickDuration = config.GetTimeSpan("kvactors.scheduler.tick-duration");
        SchedulerTicksPerWheel = config.GetInt("kvactors.scheduler.ticks-per-wheel");
        LogDeadLetters = config.GetString("kvactors.log-dead-letters") is "off" or "false" ? 0 : config.GetInt("kvactors.log-dead-letters");
        LogDeadLettersSuspendDuration = config.GetTimeSpan("kvactors.log-dead-letters-suspend-duration");
        LogDeadLettersDuringShutdown = config.GetBool("kvactors.log-dead-letters-during-shutdown");
        Provider = config.GetString("kvactors.actor.provider");
    }

    public Config Config { get; }
    public int Throughput { get; }

    /// <summary>0 = unbounded.</summary>
    public int DefaultMailboxCapacity { get; }

    public TimeSpan AskTimeout { get; }
    public TimeSpan CreationTimeout { get; }
    public TimeSpan SchedulerTickDuration { get; }
    public int SchedulerTicksPerWheel { get; }

    /// <summary>How many dead letters are logged before logging pauses; 0 = never log them.</summary>
    public int LogDeadLetters { get; }

    public TimeSpan LogDeadLettersSuspendDuration { get; }
    public bool LogDeadLettersDuringShutdown { get; }

    /// <summary>"local", or the type name of an ActorRefProvider (remoting and cluster bring their own).</summary>
    public string Provider { get; }
}
