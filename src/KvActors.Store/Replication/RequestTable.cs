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
            answer = found;
            return true;
        }
        answer = null!;
        return false;
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
        if (answers.BySequence.TryAdd(answer.Request.Sequence, answer))
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
                all.Add(client.BySequence[sequence]);
        return all;
    }

    private sealed class ClientAnswers(string clientId)
    {
        public string ClientId { get; } = clientId;
        public Dictionary<long, CompletedRequest> BySequence { get; } = new();
        public Queue<long> Order { get; } = new();
    }
}
