using KvActors.Actor.Internal;

namespace KvActors.Dispatch;

/// <summary>
/// One actor's queue of messages and its turn on the thread pool.
///
/// Senders append to <c>_incoming</c> under the mailbox's lock (a short, mostly uncontended
/// lock: no allocation per message, unlike a node-based queue). The running turn swaps that
/// array out and drains it without the lock, so the lock is taken once per batch on the
/// receiving side. The lock also guards <c>_scheduled</c>, which makes "a message arrived" and
/// "the actor is idle" one atomic decision: no wake-up is lost and no actor runs on two threads.
///
/// System messages have their own FIFO list and are processed before user messages, between
/// every two user messages, and also while the actor is suspended.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private readonly ActorCell _cell;
    private readonly Dispatcher _dispatcher;
    private readonly int _capacity;

    // Guarded by lock(this); the mailbox is internal, so nothing else can lock it.
    private Envelope[]? _incoming;
    private int _incomingCount;
    private SystemMessage? _systemHead;
    private SystemMessage? _systemTail;
    private bool _scheduled;
    private bool _closed;
    private int _suspendCount;
    private bool _awaitingTask;

    // Owned by the running turn.
    private Envelope[]? _draining;
    private int _drainIndex;
    private int _drainCount;

    public Mailbox(ActorCell cell, Dispatcher dispatcher, MailboxType type)
    {
        _cell = cell;
        _dispatcher = dispatcher;
        // The configured default capacity was read but never applied: Props without an explicit
        // MailboxType now get it, as reference.conf promises.
        _capacity = type.UsesDefaultCapacity ? cell.System.Settings.DefaultMailboxCapacity : type.Capacity;
    }

    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>User messages queued and not yet taken (approximate while others enqueue).</summary>
    public int Count => Volatile.Read(ref _incomingCount) + (_drainCount - _drainIndex);

    public void Enqueue(in Envelope envelope)
    {
        bool schedule;
        lock (this)
        {
            if (_closed) goto Dead;
            if (_capacity > 0 && _incomingCount + (_drainCount - _drainIndex) >= _capacity) goto Overflow;
            var buffer = _incoming;
            if (buffer is null || _incomingCount == buffer.Length) buffer = Grow();
            buffer[_incomingCount++] = envelope;
            schedule = !_scheduled && _suspendCount == 0 && !_awaitingTask;
            if (schedule) _scheduled = true;
        }
        if (schedule) _dispatcher.Schedule(this);
        return;
    Dead:
        _cell.OnUndeliverable(envelope, overflow: false);
        return;
    Overflow:
        _cell.OnUndeliverable(envelope, overflow: true);
    }

    private Envelope[] Grow()
    {
        var bigger = new Envelope[_incoming is null ? 4 : _incoming.Length * 2];
        _incoming?.AsSpan(0, _incomingCount).CopyTo(bigger);
        return _incoming = bigger;
    }

    public void SystemEnqueue(SystemMessage message)
    {
        bool schedule;
        lock (this)
        {
            if (_closed) goto Dead;
            if (_systemTail is null) _systemHead = message;
            else _systemTail.Next = message;
            _systemTail = message;
            schedule = !_scheduled;
            if (schedule) _scheduled = true;
        }
        if (schedule) _dispatcher.Schedule(this);
        return;
    Dead:
        DeadLetterActorRef.HandleSystemMessageToDeadActor(_cell.Self, message);
    }

    // Suspension and ReceiveAsync waits change from inside the actor's own turn.
    public void Suspend() { lock (this) _suspendCount++; }
    public void Resume() { lock (this) if (_suspendCount > 0) _suspendCount--; }
    public bool IsSuspended => Volatile.Read(ref _suspendCount) > 0;
    public void BeginAwait() { lock (this) _awaitingTask = true; }
    public void EndAwait() { lock (this) _awaitingTask = false; }

    /// <summary>Closes for good; returns the user messages still queued so the cell can dead-letter them.</summary>
    public List<Envelope> Close()
    {
        SystemMessage? pending;
        var left = new List<Envelope>();
        lock (this)
        {
            _closed = true;
            pending = _systemHead;
            _systemHead = _systemTail = null;
            for (var i = _drainIndex; i < _drainCount; i++) left.Add(_draining![i]);
            for (var i = 0; i < _incomingCount; i++) left.Add(_incoming![i]);
            _incoming = _draining = null;
            _incomingCount = _drainIndex = _drainCount = 0;
        }
        DeadLetterRemaining(pending);
        return left;
    }

    private void DeadLetterRemaining(SystemMessage? message)
    {
        while (message is not null)
        {
            var next = message.Next;
            message.Next = null;
            DeadLetterActorRef.HandleSystemMessageToDeadActor(_cell.Self, message);
            message = next;
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        ProcessSystemMessages();
        for (var left = _dispatcher.Throughput; left > 0; left--)
        {
            if (!TryTakeUserMessage(out var envelope)) break;
            _cell.Invoke(envelope);
            if (Volatile.Read(ref _systemHead) is not null) ProcessSystemMessages();
        }

        bool again;
        lock (this)
        {
            again = !_closed && (_systemHead is not null
                || (_suspendCount == 0 && !_awaitingTask && (_incomingCount > 0 || _drainIndex < _drainCount || _cell.HasUnstashed)));
            if (!again) _scheduled = false;
        }
        if (again) _dispatcher.Schedule(this);
    }

    private bool TryTakeUserMessage(out Envelope envelope)
    {
        envelope = default;
        if (_closed || _suspendCount > 0 || _awaitingTask) return false;
        if (_cell.TryTakeUnstashed(out envelope)) return true;
        if (_drainIndex == _drainCount)
        {
            lock (this)
            {
                if (_incomingCount == 0) return false;
                // The drained array is empty (every slot was cleared): it becomes the next incoming buffer.
                (_incoming, _draining) = (_draining, _incoming);
                _drainCount = _incomingCount;
                _drainIndex = 0;
                _incomingCount = 0;
            }
        }
        envelope = _draining![_drainIndex];
        _draining[_drainIndex++] = default; // let the message be collected once processed
        if (_drainIndex == _drainCount) _drainIndex = _drainCount = 0;
        return true;
    }

    private void ProcessSystemMessages()
    {
        while (true)
        {
            SystemMessage? list;
            lock (this)
            {
                list = _systemHead;
                _systemHead = _systemTail = null;
            }
            if (list is null) return;
            while (list is not null)
            {
                var next = list.Next;
                list.Next = null;
                if (_closed) DeadLetterActorRef.HandleSystemMessageToDeadActor(_cell.Self, list);
                else _cell.SystemInvoke(list);
                list = next;
            }
        }
    }
}
