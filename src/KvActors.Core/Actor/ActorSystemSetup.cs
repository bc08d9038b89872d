using KvActors.Actor.Internal;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor;

/// <summary>What an actor system takes besides config: code-level hooks that HOCON cannot express.</summary>
public sealed record ActorSystemSetup
{
    public static readonly ActorSystemSetup Empty = new();

    /// <summary>Where log events go; none = discarded.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Makes the provider; overrides kvactors.actor.provider (remoting plugs in here).</summary>
    public Func<ActorSystem, ActorRefProvider>? ProviderFactory { get; init; }
}
