namespace KvActors.Storage.Engine;

/// <summary>
/// Lets many callers share one run of an expensive job (a pass over the whole log, a compaction): a request made while
/// no run is under way starts one on the thread pool; requests made during a run wait for the next run, which serves
/// all of them at once. Every caller's result comes from a run that started after its request, so it sees everything
/// that was on disk when it asked.
/// </summary>
/// <typeparam name="TKey">What a caller asks for (a partition); callers asking for the same key in one run share its result.</typeparam>
internal sealed class SharedRuns<TKey, TResult> where TKey : notnull
{
    private readonly Func<IReadOnlyCollection<TKey>, IReadOnlyDictionary<TKey, TResult>> _run;
    private readonly object _gate = new();
    private Dictionary<TKey, TaskCompletionSource<TResult>> _pending = new();
    private bool _running;

    /// <param name="run">Does the job for a set of keys and returns a result for each; if it throws, every caller of that run gets the exception.</param>
    public SharedRuns(Func<IReadOnlyCollection<TKey>, IReadOnlyDictionary<TKey, TResult>> run) => _run = run;

    /// <summary>Runs so far (for tests: how many callers shared them).</summary>
    public int Runs { get; private set; }

    public Task<TResult> Request(TKey key)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(key, out var waiter))
                _pending[key] = waiter = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_running)
            {
                _running = true;
                ThreadPool.UnsafeQueueUserWorkItem(static self => self.Drain(), this, preferLocal: false);
            }
            return waiter.Task;
        }
    }

    private void Drain()
    {
        while (true)
        {
            Dictionary<TKey, TaskCompletionSource<TResult>> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _running = false;
                    return;
                }
                batch = _pending;
                _pending = new Dictionary<TKey, TaskCompletionSource<TResult>>();
                Runs++;
            }
            try
            {
                var results = _run(batch.Keys);
                foreach (var (key, waiter) in batch)
                {
                    if (results.TryGetValue(key, out var result)) waiter.SetResult(result);
                    else waiter.SetException(new InvalidOperationException($"The shared run gave no result for {key}."));
                }
            }
            catch (Exception e)
            {
                foreach (var waiter in batch.Values) waiter.SetException(e);
            }
        }
    }
}
