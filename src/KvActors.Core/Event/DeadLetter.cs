using KvActors.Actor;

namespace KvActors.Event;

/// <summary>A message that could not be delivered: its recipient was gone, or its mailbox was full.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient)
{
    public override string ToString() =>
        $"Message [{Message.GetType().Name}] from {Sender?.Path.ToString() ?? "NoSender"} to {Recipient.Path} was not delivered.";
}

/// <summary>A message dropped on purpose (bounded mailbox overflow, gated peer); published like a dead letter.</summary>
public sealed record Dropped(object Message, string Reason, IActorRef? Sender, IActorRef Recipient)
{
    public override string ToString() =>
        $"Message [{Message.GetType().Name}] to {Recipient.Path} was dropped: {Reason}.";
}
