using System.Text;
using KvActors.Store.Replication;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// A client with one request in flight: puts (unique values), deletes, leased reads and some stale replica reads on a
/// few keys, and increments of one shared counter (<see cref="CounterKey"/>). It sends to the primary it believes in and retries with the SAME request id on Retry, NotPrimary (following
/// the hint) and timeouts, asking the manager for the configuration when lost. It records the history for the checker.
/// </summary>
public sealed class SimClient(
    string name, EventQueue queue, SimNetwork network, Random random, HistoryChecker checker,
    SimulationOptions options, IReadOnlyList<string> nodes)
{
    /// <summary>The key every client increments (never read or written otherwise).</summary>
    public const string CounterKey = "counter";

    private long nextSequence;
    private Operation? current;
    private PartitionConfig? config;
    private string? target;
    private int generation;
    private int attempts;

    public string Name => name;

    /// <summary>Starts new requests; cleared when the run settles, so only the one in flight finishes.</summary>
    public bool StartingNew { get; set; } = true;

    public bool Idle => current is null;

    public string? InFlight => current?.ToString();

    public int Completed { get; private set; }

    public void Start()
    {
        RequestConfig();
        queue.After(random.NextInt64(options.ClientThinkMaxMs + 1), NextOperation);
    }

    public void Receive(object message)
    {
        switch (message)
        {
            case ConfigUpdate u when config is null || u.Config.Epoch > config.Epoch:
                config = u.Config;
                target = config.Primary;
                break;
            case ClientReply reply when current is not null && reply.Request == current.Id:
                OnReply(current, reply);
                break;
        }
    }

    private void OnReply(Operation op, ClientReply reply)
    {
        switch (reply)
        {
            case WriteDone w when op.Command is not null:
                checker.OnIncrementAcked(op.Id, w);
                Complete();
                break;
            case WriteDone w:
                checker.OnWriteAcked(op.Key, op.Id, op.Write!.Kind, w, queue.Now);
                Complete();
                break;
            case ReadDone r:
                checker.OnReadCompleted(op.Key, op.Id, op.Mode, r.Value, op.InvokedAt, queue.Now);
                Complete();
                break;
            case NotPrimary n:
                if (n.Primary is not null && (config is null || n.Epoch >= config.Epoch))
                    target = n.Primary;
                RequestConfig();
                ResendAfter(options.ClientBackoffMs);
                break;
            case RetryLater:
                ResendAfter(options.ClientBackoffMs);
                break;
            case AnswerForgotten f:
                // One request in flight: a resend is always the client's highest id, whose answer is never evicted.
                throw new InvalidOperationException($"{name}: {f.Reason}");
        }
    }

    private void NextOperation()
    {
        if (!StartingNew)
            return;
        var id = new RequestId(name, ++nextSequence);
        var key = $"k{random.Next(options.Keys)}";
        var roll = random.NextDouble();
        KvOperation? write = null;
        KvCommand? command = null;
        var mode = ReadMode.Leased;
        if (roll < 0.08)
        {
            key = CounterKey;
            command = new IncrementCommand(Encoding.UTF8.GetBytes(key), 1);
            checker.RegisterIncrement(id);
        }
        else if (roll < 0.35)
        {
            var value = $"{name}:{id.Sequence}";
            checker.RegisterPut(id, value);
            write = KvOperation.Put(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        }
        else if (roll < 0.5)
            write = KvOperation.Delete(Encoding.UTF8.GetBytes(key));
        else
        {
            mode = roll < 1 - options.StaleReadShare ? ReadMode.Leased : ReadMode.Stale;
            checker.RegisterRead(id, mode);
        }
        current = new Operation(id, key, write, mode, queue.Now, command);
        attempts = 0;
        Send();
    }

    private void Send()
    {
        var op = current!;
        generation++;
        attempts++;
        string to;
        if (op.Write is null && op.Command is null && op.Mode == ReadMode.Stale && config is not null)
        {
            var members = config.Members.ToArray();
            to = members[random.Next(members.Length)];
        }
        else if (target is null || attempts % 4 == 0)
            to = nodes[random.Next(nodes.Count)]; // our view may be wrong: ask someone else for a hint
        else
            to = target;
        var resent = attempts > 1;
        var request = op.Command is not null
            ? new ClientRequestMessage(op.Id, null, null, ReadMode.Leased, op.Command, resent)
            : op.Write is not null
            ? new ClientRequestMessage(op.Id, op.Write, null, ReadMode.Leased, Resent: resent)
            : new ClientRequestMessage(op.Id, null, Encoding.UTF8.GetBytes(op.Key), op.Mode);
        network.Send(name, to, request);
        var sent = generation;
        queue.After(options.ClientTimeoutMs, () =>
        {
            if (sent == generation && current is not null)
            {
                RequestConfig();
                Send();
            }
        });
    }

    private void ResendAfter(long delay)
    {
        var sent = generation;
        queue.After(delay, () =>
        {
            if (sent == generation && current is not null)
                Send();
        });
    }

    private void Complete()
    {
        current = null;
        generation++;
        Completed++;
        queue.After(random.NextInt64(options.ClientThinkMaxMs + 1), NextOperation);
    }

    private void RequestConfig() => network.Send(name, Simulation.ManagerName, new ClientConfigRequest());

    private sealed record Operation(RequestId Id, string Key, KvOperation? Write, ReadMode Mode, long InvokedAt, KvCommand? Command = null)
    {
        public override string ToString() =>
            $"{Id} {(Command is not null ? "INCR" : Write is null ? $"{Mode} read" : Write.Kind.ToString())} {Key} (invoked {InvokedAt})";
    }
}
