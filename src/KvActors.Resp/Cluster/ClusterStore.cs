using Akka.Actor;
using Google.Protobuf;
using KvActors.Client;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Resp.Cluster;

/// <summary>
/// The commands' store: <see cref="KvClient"/> attached to the node's own actor system routes each request to its
/// partition's primary, wherever it is, with its retries. A replica read (READONLY) is first asked of this node's own
/// <c>/user/shards</c> as a stale read; when this node holds no replica of the key, it is a normal read at the primary.
/// </summary>
public sealed class ClusterStore(ActorSystem system, KvClient client, TimeSpan localReadTimeout) : IRespStore
{
    private readonly ActorSelection _localShards = system.ActorSelection(StoreHost.ShardsPath);
    private readonly string _clientId = $"resp-{Guid.NewGuid():N}";
    private long _nextRequestId;

    public async Task<byte[]?> GetAsync(byte[] key, bool replicaRead)
    {
        if (replicaRead)
        {
            var request = new GetRequest { ClientId = _clientId, RequestId = Interlocked.Increment(ref _nextRequestId), Key = ByteString.CopyFrom(key), Stale = true };
            try
            {
                var reply = await _localShards.Ask<KvReply>(request, localReadTimeout).ConfigureAwait(false);
                if (reply.ResultCase == KvReply.ResultOneofCase.ReadDone)
                    return reply.ReadDone.Found ? reply.ReadDone.Value.ToByteArray() : null;
            }
            catch (AskTimeoutException)
            {
                // this node is slow to answer: the primary answers instead
            }
        }
        return await client.GetAsync(key).ConfigureAwait(false);
    }

    public async Task<bool> SetAsync(byte[] key, byte[] value) => (await client.PutAsync(key, value).ConfigureAwait(false)).Existed;

    public Task<bool> DeleteAsync(byte[] key) => client.DeleteAsync(key);

    public async Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead)
    {
        if (replicaRead)
        {
            var request = new GetRequest { ClientId = _clientId, RequestId = Interlocked.Increment(ref _nextRequestId), Key = ByteString.CopyFrom(key), Stale = true };
            try
            {
                var reply = await _localShards.Ask<KvReply>(request, localReadTimeout).ConfigureAwait(false);
                if (reply.ResultCase == KvReply.ResultOneofCase.ReadDone)
                    return reply.ReadDone.Found ? (reply.ReadDone.Value.ToByteArray(), reply.ReadDone.ExpiresAtMs) : (null, 0);
            }
            catch (AskTimeoutException)
            {
                // this node is slow to answer: the primary answers instead
            }
        }
        var value = await client.GetWithExpiryAsync(key).ConfigureAwait(false);
        return value is null ? (null, 0) : (value.Value, value.ExpiresAt?.ToUnixTimeMilliseconds() ?? 0);
    }

    public Task<CommandResult> ExecuteAsync(KvCommand command) => client.ExecuteAsync(command);
}
