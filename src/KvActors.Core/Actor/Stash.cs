namespace KvActors.Actor;

/// <summary>
/// Puts messages aside to process later, typically until a Become. UnstashAll puts them back
/// in front of the mailbox in their original order. On restart they are kept; on stop they go
/// to dead letters.
/// </summary>
public interface IStash
{
    /// <summary>Sets the current message aside.</summary>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns every stashed message to the front of the mailbox, oldest first.</summary>
    void UnstashAll();

    int Count { get; }
}

/// <summary>Implement it and the runtime sets <see cref="Stash"/> when it makes the instance.</summary>
public interface IWithUnboundedStash
{
    IStash Stash { get; set; }
}
