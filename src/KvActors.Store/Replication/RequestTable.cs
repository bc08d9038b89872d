namespace KvActors.Store.Replication;

/// <summary>
/// Answers of recently committed writes, for duplicate requests: each client's <c>perClient</c> highest request ids,
/// for the <c>maxClients</c> most recently writing clients. It is part of the replicated state (filled as entries are
/// applied, carried in snapshots), so every replica evicts the same entries and a new primary answers retries too.
/// </summary>
/// <remarks>
/// A client numbers its requests upwards, so keeping the highest ids (not the latest applied) makes what was evicted
/// known from what is kept: once a client's window is full, any id below its lowest kept one is forgotten
/// (<see cref="IsForgotten"/>). A resent request with a forgotten id may have run already, and the primary refuses it
/// rather than run it twice (Raft's client sessions answer the same way once a session's replies are discarded). A
/// snapshot carries the kept answers only, and rebuilding from them gives the same window.
/// </remarks>
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
        answer = Find(ref request)!;
        return answer is not null;
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

    /// <summary>
    /// Whether <paramref name="request"/>'s answer, if it ever had one, is no longer kept: its client's window is full and
    /// the id is below every kept one.
    /// </summary>
    public bool IsForgotten(RequestId request) =>
        clients.TryGetValue(request.ClientId, out var node) && node.Value.BySequence.Count >= perClient
        && request.Sequence < node.Value.Lowest && !node.Value.BySequence.ContainsKey(request.Sequence);

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
        if (!answers.BySequence.TryAdd(answer.Request.Sequence, new KeptAnswer(answer.Result, answer.Seq, answer.Outcome)))
            return;
        if (answers.BySequence.Count <= perClient)
            answers.Lowest = Math.Min(answers.Lowest, answer.Request.Sequence);
        else
        {
            answers.BySequence.Remove(Math.Min(answers.Lowest, answer.Request.Sequence));
            answers.Lowest = LowestOf(answers.BySequence);
        }
    }

    // A scan of at most perClient + 1 ids, once per write on a full window: cheaper than an ordered set's node per answer.
    private static long LowestOf(Dictionary<long, KeptAnswer> bySequence)
    {
        var lowest = long.MaxValue;
        foreach (var sequence in bySequence.Keys)
            lowest = Math.Min(lowest, sequence);
        return lowest;
    }

    /// <summary>Every kept answer, least recently written client first and each client's by request id (the order <see cref="Record"/> rebuilds it from).</summary>
    public IReadOnlyList<CompletedRequest> Export()
    {
        var all = new List<CompletedRequest>();
        foreach (var client in recency)
            foreach (var sequence in client.BySequence.Keys.Order())
                all.Add(client.BySequence[sequence].Answer(client.ClientId, sequence));
        return all;
    }

    private sealed class ClientAnswers(string clientId)
    {
        public string ClientId { get; } = clientId;
        public Dictionary<long, KeptAnswer> BySequence { get; } = new();

        /// <summary>The lowest kept id (long.MaxValue while none).</summary>
        public long Lowest { get; set; } = long.MaxValue;
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
