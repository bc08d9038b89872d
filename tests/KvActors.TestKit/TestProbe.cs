using System.Collections.Concurrent;
using System.Diagnostics;
using KvActors.Actor;
using Xunit.Sdk;

namespace KvActors.TestKit;

/// <summary>
/// An actor a test drives by hand: everything sent to <see cref="Ref"/> is queued, and the
/// Expect methods take from the queue with a deadline. Inside <see cref="Within(TimeSpan, Action)"/>
/// every wait is capped by the block's remaining time.
/// </summary>
public sealed class TestProbe
{
    private readonly BlockingCollection<(object Message, IActorRef? Sender)> _queue = new();
    private readonly ActorSystem _system;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _endAt; // deadline of the innermost Within block, on _clock
    private (object Message, IActorRef? Sender)? _pushedBack; // the message that ended a ReceiveWhile

    public TestProbe(ActorSystem system, string? name = null)
    {
        _system = system;
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(_queue)), name);
    }

    public IActorRef Ref { get; }
    public ActorSystem System => _system;

    /// <summary>The sender of the last message taken.</summary>
    public IActorRef? LastSender { get; private set; }

    public object? LastMessage { get; private set; }

    /// <summary>Messages waiting to be taken.</summary>
    public int QueuedCount => _queue.Count;

    // ---- sending ----

    /// <summary>Tells <paramref name="target"/> with this probe as the sender.</summary>
    public void Send(ICanTell target, object message) => target.Tell(message, Ref);

    /// <summary>Answers the sender of the last message taken.</summary>
    public void Reply(object message) =>
        (LastSender ?? throw new XunitException("Reply: the last message had no sender.")).Tell(message, Ref);

    public void Forward(IActorRef target) =>
        target.Tell(LastMessage ?? throw new XunitException("Forward: no message taken yet."), LastSender);

    public IActorRef Watch(IActorRef actor)
    {
        Ref.Tell(new ProbeActor.WatchIt(actor), null);
        return actor;
    }

    public IActorRef Unwatch(IActorRef actor)
    {
        Ref.Tell(new ProbeActor.UnwatchIt(actor), null);
        return actor;
    }

    // ---- time ----

    /// <summary>Time left in the current Within block, or <paramref name="fallback"/> (default timeout) outside one.</summary>
    public TimeSpan RemainingOr(TimeSpan? fallback = null)
    {
        if (_endAt is { } end)
        {
            var left = end - _clock.Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        return fallback ?? TestKitSettings.DefaultTimeout;
    }

    private TimeSpan Cap(TimeSpan? requested)
    {
        var wanted = requested ?? TestKitSettings.DefaultTimeout;
        return _endAt is null ? wanted : (wanted < RemainingOr() ? wanted : RemainingOr());
    }

    /// <summary>Runs <paramref name="action"/>, failing if it takes longer than <paramref name="max"/> (dilated) or less than <paramref name="min"/>.</summary>
    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> action)
    {
        var dilatedMax = TestKitSettings.Dilated(max);
        var start = _clock.Elapsed;
        var previous = _endAt;
        var end = start + dilatedMax;
        _endAt = previous is { } p && p < end ? p : end;
        try
        {
            var result = action();
            var took = _clock.Elapsed - start;
            if (took < min) throw new XunitException($"Within: the block finished in {took.TotalMilliseconds:0} ms, before the minimum {min.TotalMilliseconds:0} ms.");
            if (took > dilatedMax) throw new XunitException($"Within: the block took {took.TotalMilliseconds:0} ms, more than {dilatedMax.TotalMilliseconds:0} ms.");
            return result;
        }
        finally
        {
            _endAt = previous;
        }
    }

    public void Within(TimeSpan max, Action action) => Within(TimeSpan.Zero, max, () => { action(); return 0; });
    public T Within<T>(TimeSpan max, Func<T> action) => Within(TimeSpan.Zero, max, action);

    // ---- receiving ----

    /// <summary>Takes the next message or returns false at the deadline.</summary>
    public bool TryReceive(TimeSpan timeout, out object? message)
    {
        if (_pushedBack is { } back)
        {
            _pushedBack = null;
            LastMessage = message = back.Message;
            LastSender = back.Sender;
            return true;
        }
        if (_queue.TryTake(out var item, timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout))
        {
            LastMessage = message = item.Message;
            LastSender = item.Sender;
            return true;
        }
        message = null;
        return false;
    }

    /// <summary>The next message, which must be a <typeparamref name="T"/> (matching <paramref name="predicate"/>).</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null, string? hint = null)
    {
        var wait = Cap(timeout);
        if (!TryReceive(wait, out var message))
            throw new XunitException($"ExpectMsg<{typeof(T).Name}>: no message within {wait.TotalMilliseconds:0} ms{Hint(hint)}.");
        if (message is not T typed)
            throw new XunitException($"ExpectMsg<{typeof(T).Name}>: got {Describe(message)} instead{Hint(hint)}.");
        if (predicate is not null && !predicate(typed))
            throw new XunitException($"ExpectMsg<{typeof(T).Name}>: {Describe(message)} does not match the predicate{Hint(hint)}.");
        return typed;
    }

    /// <summary>The next message, which must equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull =>
        ExpectMsg<T>(m => Equals(m, expected), timeout, $"expected {Describe(expected)}");

    /// <summary>Fails if any message arrives within <paramref name="duration"/>.</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var wait = Cap(duration ?? TestKitSettings.DefaultNoMessageDuration);
        if (TryReceive(wait, out var message))
            throw new XunitException($"ExpectNoMsg: got {Describe(message)} within {wait.TotalMilliseconds:0} ms.");
    }

    /// <summary>The next message must be Terminated for <paramref name="actor"/> (watch it first).</summary>
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null) =>
        ExpectMsg<Terminated>(t => t.ActorRef.Equals(actor), timeout, $"expected Terminated of {actor.Path}");

    /// <summary>Skips messages until one of type <typeparamref name="T"/> matches; fails at the deadline.</summary>
    public T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null)
    {
        var wait = Cap(timeout);
        var end = _clock.Elapsed + wait;
        var skipped = new List<object?>();
        while (true)
        {
            var left = end - _clock.Elapsed;
            if (!TryReceive(left, out var message))
                throw new XunitException($"FishForMessage<{typeof(T).Name}>: none matched within {wait.TotalMilliseconds:0} ms; skipped [{string.Join(", ", skipped.Select(Describe))}].");
            if (message is T typed && isTheOne(typed)) return typed;
            skipped.Add(message);
        }
    }

    /// <summary>
    /// Takes messages while <paramref name="filter"/> maps them to a value (non-null), up to
    /// <paramref name="maxMessages"/>, stopping at the deadline or after <paramref name="idle"/>
    /// without a message. A message the filter rejects ends the run and stays next in line.
    /// </summary>
    public IReadOnlyList<T> ReceiveWhile<T>(Func<object, T?> filter, TimeSpan? max = null, TimeSpan? idle = null, int maxMessages = int.MaxValue) where T : class
    {
        var wait = Cap(max);
        var end = _clock.Elapsed + wait;
        var idleWait = idle ?? Timeout.InfiniteTimeSpan;
        var result = new List<T>();
        while (result.Count < maxMessages)
        {
            var left = end - _clock.Elapsed;
            if (left <= TimeSpan.Zero) break;
            var next = idleWait == Timeout.InfiniteTimeSpan || idleWait > left ? left : idleWait;
            (object Message, IActorRef? Sender) item;
            if (_pushedBack is { } back)
            {
                // The message that ended an earlier ReceiveWhile is next in line: taking from the
                // queue instead reordered it, and pushing back another one lost it.
                item = back;
                _pushedBack = null;
            }
            else if (!_queue.TryTake(out item, next)) break;
            var mapped = filter(item.Message);
            if (mapped is null)
            {
                _pushedBack = item;
                break;
            }
            LastMessage = item.Message;
            LastSender = item.Sender;
            result.Add(mapped);
        }
        return result;
    }

    /// <summary>Exactly <paramref name="count"/> messages, in order.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        var wait = Cap(timeout);
        var end = _clock.Elapsed + wait;
        var result = new List<object>(count);
        while (result.Count < count)
        {
            if (!TryReceive(end - _clock.Elapsed, out var message))
                throw new XunitException($"ReceiveN: got {result.Count} of {count} messages within {wait.TotalMilliseconds:0} ms.");
            result.Add(message!);
        }
        return result;
    }

    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null) =>
        Awaiting.AwaitAssert(assertion, Cap(duration), interval);

    public void AwaitCondition(Func<bool> condition, TimeSpan? duration = null, string? message = null) =>
        Awaiting.AwaitCondition(condition, Cap(duration), message);

    private static string Hint(string? hint) => hint is null ? "" : $" ({hint})";

    private static string Describe(object? message) => message switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => $"{message.GetType().Name} {message}",
    };

    /// <summary>The probe's actor: queues what it receives; watches on request.</summary>
    private sealed class ProbeActor : ReceiveActor
    {
        public sealed record WatchIt(IActorRef Target);
        public sealed record UnwatchIt(IActorRef Target);

        public ProbeActor(BlockingCollection<(object, IActorRef?)> queue)
        {
            Receive<WatchIt>(w => Context.Watch(w.Target));
            Receive<UnwatchIt>(w => Context.Unwatch(w.Target));
            ReceiveAny(m => queue.Add((m, Sender)));
        }
    }
}
