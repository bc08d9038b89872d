using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster.Tools.Singleton;

/// <summary>Where a <see cref="ClusterSingletonManager"/> is in the singleton's life on its node.</summary>
public enum SingletonState
{
    /// <summary>Waiting for the first cluster state.</summary>
    Start,
    /// <summary>Another member is the oldest; no singleton here.</summary>
    Younger,
    /// <summary>This node is the oldest but the previous oldest may still run the singleton: waiting for HandOverDone or its removal + margin.</summary>
    BecomingOldest,
    /// <summary>This node is the oldest and runs the singleton.</summary>
    Oldest,
    /// <summary>This node runs the singleton but is no longer the oldest (a younger node is, or this node is leaving): offering it with TakeOverFromMe.</summary>
    WasOldest,
    /// <summary>The singleton is being stopped for a hand-over; HandOverDone follows its termination.</summary>
    HandingOver,
    /// <summary>This node is leaving: it will never run the singleton again.</summary>
    End,
}

/// <summary>What the manager actor must do after a decision.</summary>
public abstract record SingletonAction
{
    public sealed record StartSingleton : SingletonAction;
    public sealed record StopSingleton : SingletonAction;
    public sealed record SendHandOverToMe(Address To) : SingletonAction;
    public sealed record SendHandOverInProgress(Address To) : SingletonAction;
    public sealed record SendHandOverDone(Address To) : SingletonAction;
    public sealed record SendTakeOverFromMe(Address To) : SingletonAction;
}

/// <summary>
/// The whole decision logic of the cluster singleton on one node, with no actors, timers or
/// clocks (time is passed in, in milliseconds). It tracks the Up members (of the role) by age
/// (<see cref="Member.AgeOrdering"/>), decides who is oldest, and runs Akka's hand-over state
/// machine: the singleton runs on the oldest Up member only, a new oldest takes it over from the
/// previous oldest by HandOverToMe/HandOverDone, and after a crash it starts only once the
/// previous oldest is Removed and the removal margin has passed.
/// </summary>
public sealed class SingletonDecider
{
    private readonly UniqueAddress _self;
    private readonly string? _role;
    private readonly long _removalMarginMs;
    private readonly List<Member> _byAge = [];
    private readonly Dictionary<Address, long> _removedAt = [];
    private Address? _lastOtherOldest;
    private bool _selfExiting;

    public SingletonDecider(UniqueAddress self, string? role, TimeSpan removalMargin)
    {
        _self = self;
        _role = string.IsNullOrEmpty(role) ? null : role;
        _removalMarginMs = (long)removalMargin.TotalMilliseconds;
    }

    public SingletonState State { get; private set; } = SingletonState.Start;

    /// <summary>Whether the singleton child is alive here (started and not yet terminated).</summary>
    public bool SingletonRunning { get; private set; }

    /// <summary>In BecomingOldest: the member that may still run the singleton.</summary>
    public Address? PreviousOldest { get; private set; }

    /// <summary>In WasOldest: the member this node offers the singleton to (null when there is none).</summary>
    public Address? NewOldest { get; private set; }

    /// <summary>In HandingOver: who gets HandOverDone (null when nobody asked; the node is leaving).</summary>
    public Address? HandOverTo { get; private set; }

    /// <summary>The oldest Up member of the role, as this node sees it; null when there is none.</summary>
    public Address? Oldest => _byAge.Count == 0 ? null : _byAge[0].Address;

    public IReadOnlyList<Member> MembersByAge => _byAge;

    private bool Matches(Member m) => _role is null || m.HasRole(_role);
    private bool IsSelf(Member m) => m.UniqueAddress == _self;
    private bool SelfIsOldest => _byAge.Count > 0 && IsSelf(_byAge[0]);

    /// <summary>The first cluster state (the snapshot a cluster subscription starts with).</summary>
    public IReadOnlyList<SingletonAction> Initialize(IEnumerable<Member> members, long nowMs)
    {
        var all = members.Where(Matches).ToList();
        _byAge.Clear();
        _byAge.AddRange(all.Where(m => m.Status == MemberStatus.Up));
        _byAge.Sort(Member.AgeOrdering);
        if (all.FirstOrDefault(IsSelf) is { } me && me.Status is MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed) _selfExiting = true;
        // A member older than us that is leaving or down may still run the singleton: it counts as the previous oldest.
        var selfMember = all.FirstOrDefault(IsSelf);
        _lastOtherOldest = all
            .Where(m => !IsSelf(m) && m.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp))
            .Where(m => selfMember is null || selfMember.Status is MemberStatus.Joining or MemberStatus.WeaklyUp || m.IsOlderThan(selfMember))
            .OrderBy(m => m, Member.AgeOrdering)
            .Select(m => m.Address)
            .FirstOrDefault();
        State = SingletonState.Younger;
        var actions = new List<SingletonAction>();
        Evaluate(nowMs, actions);
        return actions;
    }

    /// <summary>A membership change.</summary>
    public IReadOnlyList<SingletonAction> OnMemberEvent(MemberEvent e, long nowMs)
    {
        var m = e.Member;
        if (IsSelf(m) && e is MemberExited or MemberDowned or MemberRemoved) _selfExiting = true;
        if (e is MemberRemoved) _removedAt.TryAdd(m.Address, nowMs);
        if (Matches(m))
        {
            _byAge.RemoveAll(x => x.UniqueAddress == m.UniqueAddress);
            if (e is MemberUp)
            {
                _byAge.Add(m);
                _byAge.Sort(Member.AgeOrdering);
            }
        }
        var actions = new List<SingletonAction>();
        if (State != SingletonState.Start) Evaluate(nowMs, actions);
        return actions;
    }

    /// <summary>The retry timer (hand-over-retry-interval) or the removal-margin timer fired.</summary>
    public IReadOnlyList<SingletonAction> OnTick(long nowMs)
    {
        var actions = new List<SingletonAction>();
        switch (State)
        {
            case SingletonState.BecomingOldest when PreviousOldest is { } prev && !IsRemovedWithMargin(prev, nowMs):
                actions.Add(new SingletonAction.SendHandOverToMe(prev));
                break;
            case SingletonState.WasOldest when NewOldest is { } next:
                actions.Add(new SingletonAction.SendTakeOverFromMe(next));
                break;
        }
        Evaluate(nowMs, actions);
        return actions;
    }

    /// <summary>A (new) oldest asks this node to stop its singleton and answer HandOverDone.</summary>
    public IReadOnlyList<SingletonAction> OnHandOverToMe(Address from, long nowMs)
    {
        var actions = new List<SingletonAction>();
        switch (State)
        {
            case SingletonState.Younger or SingletonState.End:
                actions.Add(new SingletonAction.SendHandOverDone(from)); // not running it here
                break;
            case SingletonState.WasOldest when !SingletonRunning:
                actions.Add(new SingletonAction.SendHandOverDone(from));
                State = _selfExiting ? SingletonState.End : SingletonState.Younger;
                NewOldest = null;
                break;
            case SingletonState.WasOldest:
                HandOverTo = from;
                NewOldest = null;
                State = SingletonState.HandingOver;
                actions.Add(new SingletonAction.StopSingleton());
                break;
            case SingletonState.HandingOver:
                HandOverTo = from;
                actions.Add(new SingletonAction.SendHandOverInProgress(from));
                break;
            // Oldest: our view still says we are the oldest; the requester retries until our views agree.
            // BecomingOldest: we do not run it, but we may be about to; no promise either way.
        }
        return actions;
    }

    /// <summary>The previous oldest says its singleton is gone.</summary>
    public IReadOnlyList<SingletonAction> OnHandOverDone(Address from, long nowMs)
    {
        var actions = new List<SingletonAction>();
        if (State == SingletonState.BecomingOldest && from.Equals(PreviousOldest))
            BecomeOldest(actions);
        return actions;
    }

    /// <summary>A node that runs the singleton says this node is now the oldest.</summary>
    public IReadOnlyList<SingletonAction> OnTakeOverFromMe(Address from, long nowMs)
    {
        var actions = new List<SingletonAction>();
        switch (State)
        {
            case SingletonState.BecomingOldest:
                PreviousOldest = from; // it runs it: wait for it, whoever we waited for before
                actions.Add(new SingletonAction.SendHandOverToMe(from));
                break;
            case SingletonState.Oldest:
                actions.Add(new SingletonAction.SendHandOverToMe(from)); // it should not run one: make it stop
                break;
            // Younger: our view has not caught up yet; it retries.
        }
        return actions;
    }

    /// <summary>The singleton child terminated.</summary>
    public IReadOnlyList<SingletonAction> OnSingletonTerminated(long nowMs)
    {
        SingletonRunning = false;
        var actions = new List<SingletonAction>();
        if (State == SingletonState.HandingOver)
        {
            if (HandOverTo is { } to) actions.Add(new SingletonAction.SendHandOverDone(to));
            HandOverTo = null;
            State = _selfExiting ? SingletonState.End : SingletonState.Younger;
            _lastOtherOldest = null;
            Evaluate(nowMs, actions);
        }
        return actions;
    }

    private bool IsRemovedWithMargin(Address a, long nowMs) =>
        _removedAt.TryGetValue(a, out var at) && nowMs - at >= _removalMarginMs;

    private void BecomeOldest(List<SingletonAction> actions)
    {
        State = SingletonState.Oldest;
        PreviousOldest = null;
        _lastOtherOldest = null;
        SingletonRunning = true;
        actions.Add(new SingletonAction.StartSingleton());
    }

    private void Evaluate(long nowMs, List<SingletonAction> actions)
    {
        var oldest = Oldest;
        if (oldest is not null && !SelfIsOldest) _lastOtherOldest = oldest;
        switch (State)
        {
            case SingletonState.Younger when _selfExiting:
                State = SingletonState.End;
                break;
            case SingletonState.Younger when SelfIsOldest:
                if (_lastOtherOldest is null || IsRemovedWithMargin(_lastOtherOldest, nowMs))
                    BecomeOldest(actions);
                else
                {
                    State = SingletonState.BecomingOldest;
                    PreviousOldest = _lastOtherOldest;
                    actions.Add(new SingletonAction.SendHandOverToMe(PreviousOldest));
                }
                break;
            case SingletonState.BecomingOldest when !SelfIsOldest:
                State = _selfExiting ? SingletonState.End : SingletonState.Younger;
                PreviousOldest = null;
                break;
            case SingletonState.BecomingOldest when PreviousOldest is { } prev && IsRemovedWithMargin(prev, nowMs):
                BecomeOldest(actions);
                break;
            case SingletonState.Oldest when !SelfIsOldest:
                State = SingletonState.WasOldest;
                NewOldest = oldest;
                if (oldest is not null) actions.Add(new SingletonAction.SendTakeOverFromMe(oldest));
                Evaluate(nowMs, actions); // a leaving node stops at once
                break;
            case SingletonState.WasOldest when SelfIsOldest && !_selfExiting:
                State = SingletonState.Oldest;
                NewOldest = null;
                break;
            case SingletonState.WasOldest:
                NewOldest = oldest;
                if (_selfExiting)
                {
                    // Exiting: nobody may be left to ask; stop now and tell the new oldest, if any.
                    HandOverTo = oldest;
                    if (SingletonRunning)
                    {
                        State = SingletonState.HandingOver;
                        actions.Add(new SingletonAction.StopSingleton());
                    }
                    else
                    {
                        if (oldest is not null) actions.Add(new SingletonAction.SendHandOverDone(oldest));
                        State = SingletonState.End;
                    }
                }
                break;
        }
    }
}
