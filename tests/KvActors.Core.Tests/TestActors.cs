using System.Collections.Concurrent;
using KvActors.Actor;

namespace KvActors.Core.Tests;

/// <summary>Replies every message to its sender.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender?.Tell(m, Self));
}

/// <summary>Never answers.</summary>
internal sealed class SilentActor : ReceiveActor
{
    public SilentActor() => ReceiveAny(_ => { });
}

/// <summary>Passes every message to a target, keeping the original sender.</summary>
internal sealed class ForwardActor : ReceiveActor
{
    public ForwardActor(IActorRef target) => ReceiveAny(m => target.Forward(m));
}

/// <summary>
/// A reference (not an actor) that records what it is told synchronously, on the caller's
/// thread: lets a test observe an EventStream publish without waiting.
/// </summary>
internal sealed class RecordingRef(string name) : IActorRef
{
    private readonly ConcurrentQueue<object> _messages = new();

    public ActorPath Path { get; } = new RootActorPath(Address.Local("recorder")) / name;
    public IReadOnlyCollection<object> Messages => _messages;
    public void Clear() => _messages.Clear();
    public void Tell(object message, IActorRef? sender) => _messages.Enqueue(message);
    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);
    public int CompareTo(IActorRef? other) => other is null ? 1 : Path.CompareTo(other.Path);
}

/// <summary>Opens a gate when the test ends, however it ends, so a blocked actor cannot hold up the shutdown.</summary>
internal sealed class OpenOnDispose(ManualResetEventSlim gate) : IDisposable
{
    public void Dispose() => gate.Set();
}
