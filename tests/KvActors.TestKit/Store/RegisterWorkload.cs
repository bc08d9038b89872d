using KvActors.Client;
using KvActors.TestKit.Linearizability;

namespace KvActors.TestKit.Store;

/// <summary>
/// Random put / get / delete (45 / 40 / 15 %) over a small set of keys through one <see cref="KvClient"/>, one after
/// another until stopped, every operation recorded in a <see cref="HistoryRecorder"/> for the linearizability checker.
/// Put values are unique ("c{client}-{n}"). A request the client gave up on has an unknown outcome (it may have taken
/// effect); one the store refused did not happen.
/// </summary>
public sealed class RegisterWorkload(KvClient client, int clientId, IReadOnlyList<string> keys, HistoryRecorder history, int seed)
{
    public int Operations { get; private set; }

    public int Unknown { get; private set; }

    public Task RunAsync(CancellationToken stop) => Task.Run(async () =>
    {
        var random = new Random(seed);
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            var key = keys[random.Next(keys.Count)];
            var roll = random.Next(100);
            var op = roll < 45 ? KvOp.Put($"c{clientId}-{n}") : roll < 85 ? KvOp.Get() : KvOp.Delete();
            await RunAsync(key, op);
        }
    });

    /// <summary>Runs and records one operation.</summary>
    public async Task RunAsync(string key, KvOp op)
    {
        var handle = history.Invoke(clientId, key, op);
        Operations++;
        try
        {
            var result = op.Kind switch
            {
                OpKind.Put => await Put(key, op.Value!),
                OpKind.Get => OpResult.Read(await client.GetAsync(key)),
                _ => OpResult.Deleted(await client.DeleteAsync(key)),
            };
            history.Complete(handle, result);
        }
        catch (KvClientException e) when (e.Refused)
        {
            history.FailedDefinitely(handle);
        }
        catch (KvClientException)
        {
            Unknown++;
            history.Fail(handle);
        }
    }

    private async Task<OpResult> Put(string key, string value)
    {
        await client.PutAsync(key, value);
        return OpResult.Ok;
    }
}
