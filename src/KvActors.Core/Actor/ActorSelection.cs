using KvActors.Actor.Internal;

namespace KvActors.Actor;

/// <summary>
/// A path, possibly with wildcards (* and ?) and "..", resolved hop by hop from an anchor
/// actor each time a message is sent, so it reaches whatever lives there at that moment.
/// </summary>
public sealed class ActorSelection : ICanTell
{
    internal ActorSelection(InternalActorRef anchor, IReadOnlyList<string> elements)
    {
        Anchor = anchor;
        Elements = elements;
    }

    internal InternalActorRef Anchor { get; }
    public IReadOnlyList<string> Elements { get; }

    public string PathString => Anchor.Path.ToStringWithoutAddress().TrimEnd('/') + "/" + string.Join('/', Elements);

    public void Tell(object message, IActorRef? sender) =>
        Anchor.Tell(new ActorSelectionMessage(message, [.. Elements]), sender);

    /// <summary>The one actor at the path now; fails with <see cref="ActorNotFoundException"/> if none answers in time.</summary>
    public async Task<IActorRef> ResolveOne(TimeSpan timeout)
    {
        ActorIdentity identity;
        try { identity = await this.Ask<ActorIdentity>(new Identify(null), timeout).ConfigureAwait(false); }
        catch (AskTimeoutException e) { throw new ActorNotFoundException($"No actor answered at {this} within {timeout.TotalMilliseconds} ms.", e); }
        return identity.Subject ?? throw new ActorNotFoundException($"No actor lives at {this}.", null);
    }

    public override string ToString() => $"ActorSelection[{Anchor.Path.Address}{PathString}]";
}

public sealed class ActorNotFoundException(string message, Exception? inner) : ActorException(message, inner);

/// <summary>
/// A message travelling along a selection: each actor on the way passes it to the matching
/// children (or its parent for ".."), the last one receives the message itself. Public so
/// remoting can carry it to a remote system's root.
/// </summary>
public sealed record ActorSelectionMessage(object Message, string[] Elements) : IAutoReceivedMessage
{
    internal void DeliverFrom(ActorCell cell)
    {
        var sender = cell.Sender;
        if (Elements.Length == 0)
        {
            if (Message is IAutoReceivedMessage) cell.SelfRef.Tell(Message, sender);
            else cell.ReceiveMessage(Message);
            return;
        }
        var head = Elements[0];
        var rest = Elements[1..];
        if (head == "..")
        {
            cell.ParentRef.Tell(this with { Elements = rest }, sender);
        }
        else if (head.Contains('*') || head.Contains('?'))
        {
            foreach (var child in cell.GetChildren())
                if (WildcardMatch(head, child.Path.Name)) child.Tell(this with { Elements = rest }, sender);
        }
        else if (cell.GetChildRef(head) is { } child)
        {
            child.Tell(this with { Elements = rest }, sender);
        }
        else if (Message is Identify identify)
        {
            sender?.Tell(new ActorIdentity(identify.MessageId, null), cell.Self);
        }
        else
        {
            cell.System.DeadLetters.Tell(new Event.DeadLetter(Message, sender, cell.Self), sender);
        }
    }

    /// <summary>Glob match: * any run of characters, ? exactly one.</summary>
    internal static bool WildcardMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
