namespace KvActors.Store.Replication;

/// <summary>
/// Answers of recently committed writes, for duplicate requests: the last <c>perClient</c> request ids of each client,
/// for the <c>maxClients</c> most recently writing clients. It is part of the replicated state (filled as entries are
/// applied, carried in snapshots), so every replica evicts the same entries and a new primary answers retries too.
/// A retry arriving after its answer was evicted would run again; the bounds are set far above any client's retry window.
/// </summary>
public sealed class RequestTable
{
    private readonly int perClient;
    private readonly int maxClients;
    private readonly Dictionary<string, LinkedListNode<ClientAnswers>> clients = new(StringComparer.Ordinal);
    private readonly LinkedList<ClientAnswers> recency = new(); // least recently written first

    public RequestTable(int perClient, int maxClients)
    {
        this.perClient = perClient;
        this.maxClients = maxClients;
    }

    public int ClientCount => clients.Count;

    public bool TryGet(RequestId request, out CompletedRequest answer)
    {
        if (clients.TryGetValue(request.ClientId, out var node) && node.Value.BySequence.TryGetValue(request.Sequence, out var found))
        {
            answer = found.Answer(node.Value.ClientId, request.Sequence);
            return true;
        }
        answer = null!;
        return false;
    }

    /// <summary>
    /// The answer kept for <paramref name="request"/>, or null; either way <paramref name="request"/> comes back naming its
    /// client with the table's own string when the client is known. Each request arrives with its own copy of the client
    /// id (parsed from the wire), and the answer kept for it lives well past a young collection: with the copy, each kept
    /// answer held a string the GC copied for nothing.
    /// </summary>
    public CompletedRequest? Find(ref RequestId request)
    {
        if (!clients.TryGetValue(request.ClientId, out var node))
            return null;
        request = new RequestId(node.Value.ClientId, request.Sequence);
        return node.Value.BySequence.TryGetValue(request.Sequence, out var found) ? found.Answer(node.Value.ClientId, request.Sequence) : null;
    }

    public void Record(CompletedRequest answer)
    {
        var clientId = answer.Request.ClientId;
        if (clients.TryGetValue(clientId, out var node))
            recency.Remove(node);
        else
        {
            node = new LinkedListNode<ClientAnswers>(new ClientAnswers(clientId));
            clients[clientId] = node;
            if (clients.Count > maxClients)
            {
                var oldest = recency.First!;
                recency.RemoveFirst();
                clients.Remove(oldest.Value.ClientId);
            }
        }
        recency.AddLast(node);
        var answers = node.Value;
        if (answers.BySequence.TryAdd(answer.Request.Sequence, new KeptAnswer(answer.Result, answer.Seq, answer.Outcome)))
        {
            answers.Order.Enqueue(answer.Request.Sequence);
            if (answers.Order.Count > perClient)
                answers.BySequence.Remove(answers.Order.Dequeue());
        }
    }

    /// <summary>Every kept answer, least recently written client first and each client's oldest first (the order <see cref="Record"/> rebuilds it from).</summary>
    public IReadOnlyList<CompletedRequest> Export()
    {
        var all = new List<CompletedRequest>();
        foreach (var client in recency)
            foreach (var sequence in client.Order)
                all.Add(client.BySequence[sequence].Answer(client.ClientId, sequence));
        return all;
    }

    private sealed class ClientAnswers(string clientId)
    {
        public string ClientId { get; } = clientId;
        public Dictionary<long, KeptAnswer> BySequence { get; } = new();
        public Queue<long> Order { get; } = new();
    }

    /// <summary>
    /// An answer as kept: a value in its client's dictionary, not an object of its own. Kept answers live for many
    /// writes after theirs (past young collections), and as objects, one per write, they were garbage the GC copied
    /// before it died; a <see cref="CompletedRequest"/> is made again only when a duplicate asks.
    /// </summary>
    private readonly record struct KeptAnswer(WriteResult Result, long Seq, CommandResult? Outcome)
    {
        public CompletedRequest Answer(string clientId, long sequence) => new(new RequestId(clientId, sequence), Result, Seq, Outcome);
    }
}
