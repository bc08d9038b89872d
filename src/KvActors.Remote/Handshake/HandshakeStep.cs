namespace KvActors.Remote.Handshake;

public enum HandshakeOutcome
{
    /// <summary>Send <see cref="HandshakeStep.Reply"/> (if any) and wait for the next message.</summary>
    Continue,
    /// <summary>Send the reply (if any); the association is up with <see cref="HandshakeStep.Remote"/>.</summary>
    Established,
    /// <summary>Send the reply (if any), then close: <see cref="HandshakeStep.Reason"/> says why.</summary>
    Failed,
}

/// <summary>One decision of a handshake state machine.</summary>
public readonly record struct HandshakeStep(HandshakeOutcome Outcome, byte[]? Reply, UniqueAddress? Remote, string? Reason)
{
    internal static HandshakeStep Continue(byte[] reply) => new(HandshakeOutcome.Continue, reply, null, null);
    internal static HandshakeStep Done(byte[]? reply, UniqueAddress remote) => new(HandshakeOutcome.Established, reply, remote, null);
    internal static HandshakeStep Fail(string reason, byte[]? reply = null) => new(HandshakeOutcome.Failed, reply, null, reason);
}
