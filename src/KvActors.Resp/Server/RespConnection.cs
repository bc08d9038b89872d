using System.IO.Pipelines;
using System.Threading.Channels;
using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace KvActors.Resp.Server;

/// <summary>
/// One client connection: a reader loop parses commands and starts each as soon as the connection's earlier commands on
/// its keys are done (<see cref="CommandOrder"/>; other keys' store requests run concurrently), a writer loop writes
/// their replies strictly in command order. Between them a bounded queue of in-flight commands
/// (<see cref="RespSettings.MaxPipeline"/>): a client that does not read its replies fills the transport's output
/// buffer, the writer waits on its flush, the queue fills and the reader stops reading; nothing grows without bound.
/// A command with an argument too long for the store (read past by the parser) is answered with an error, in its turn,
/// and the connection goes on. Malformed input is answered with Redis's protocol error after the replies before it, then
/// this connection alone closes. An idle connection (no bytes for <see cref="RespSettings.Timeout"/>) is closed without
/// a reply, as Redis does.
/// </summary>
internal sealed class RespConnection(ConnectionContext connection, RespNode node, ILogger logger)
{
    /// <summary>Replies are flushed whenever the queue runs dry, and at least every this many bytes.</summary>
    private const int FlushThreshold = 64 * 1024;

    private readonly record struct Pending(ValueTask<RespValue> Reply, RespVersion Version, bool CloseAfter);

    /// <summary>
    /// After a final reply (an error, QUIT) input is read and dropped this long, or until the client closes: closing a
    /// socket with unread input makes the kernel reset it, which can destroy the reply before the client reads it.
    /// </summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _closing = new();
    private bool _closeAfterReply;

    public async Task RunAsync()
    {
        var id = node.Stats.Connected();
        var session = new RespSession(node, id, connection.RemoteEndPoint?.ToString() ?? "unknown");
        var queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(node.Settings.MaxPipeline)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        try
        {
            var writer = WriteRepliesAsync(queue.Reader);
            try
            {
                await ReadCommandsAsync(session, queue.Writer).ConfigureAwait(false);
            }
            finally
            {
                queue.Writer.TryComplete();
            }
            await writer.ConfigureAwait(false);
            if (_closeAfterReply) await DrainInput().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "RESP connection {Id} from {Remote} ended with an error", id, session.RemoteAddress);
        }
        finally
        {
            node.Stats.Disconnected();
            _closing.Dispose();
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadCommandsAsync(RespSession session, ChannelWriter<Pending> queue)
    {
        var input = connection.Transport.Input;
        var parser = new RespRequestParser(node.Settings.Limits);
        var order = new CommandOrder();
        var timeout = node.Settings.Timeout;
        using var idle = timeout > TimeSpan.Zero ? CancellationTokenSource.CreateLinkedTokenSource(_closing.Token) : null;
        var token = idle?.Token ?? _closing.Token;
        while (true)
        {
            ReadResult result;
            try
            {
                idle?.CancelAfter(timeout);
                result = await input.ReadAsync(token).ConfigureAwait(false);
                if (idle is not null && !idle.TryReset()) return; // the timeout fired just as data came: closed all the same
            }
            catch (OperationCanceledException)
            {
                if (_closing.IsCancellationRequested) return; // the writer has stopped
                logger.LogDebug("RESP connection {Id} was idle for {Timeout} and is closed", session.Id, timeout);
                connection.Abort();
                return;
            }
            var buffer = result.Buffer;
            var stop = false;
            try
            {
                while (!stop && parser.TryRead(ref buffer, out var command))
                {
                    var reply = command is OversizedCommand oversized
                        ? ValueTask.FromResult(CommandTable.RefuseOversized(session, oversized))
                        : order.Dispatch(session, command);
                    stop = session.CloseAfterReply;
                    await Enqueue(queue, new Pending(reply, session.Version, stop)).ConfigureAwait(false);
                }
            }
            catch (RespProtocolException e)
            {
                logger.LogDebug("RESP connection {Id} from {Remote} sent a malformed request: {Error}", session.Id, session.RemoteAddress, e.Message);
                stop = true;
                await Enqueue(queue, new Pending(ValueTask.FromResult(RespValue.Error(e.ErrorReply)), session.Version, true)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the writer has stopped: the client is gone
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (stop || result.IsCompleted) return;
        }
    }

    private async Task DrainInput()
    {
        using var linger = new CancellationTokenSource(Linger);
        try
        {
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync(linger.Token).ConfigureAwait(false);
                connection.Transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) return;
            }
        }
        catch (OperationCanceledException)
        {
            // the client keeps the connection open: it is closed now all the same
        }
    }

    private ValueTask Enqueue(ChannelWriter<Pending> queue, Pending pending) =>
        queue.TryWrite(pending) ? ValueTask.CompletedTask : queue.WriteAsync(pending, _closing.Token);

    private async Task WriteRepliesAsync(ChannelReader<Pending> queue)
    {
        var output = connection.Transport.Output;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryRead(out var pending))
                {
                    var reply = await new ResumeOnThreadPool<RespValue>(pending.Reply);
                    RespReplyWriter.Write(output, reply, pending.Version);
                    if (pending.CloseAfter)
                    {
                        _closeAfterReply = true;
                        await output.FlushAsync().ConfigureAwait(false);
                        return;
                    }
                    if (output.UnflushedBytes > FlushThreshold && (await output.FlushAsync().ConfigureAwait(false)).IsCompleted) return;
                }
                if ((await output.FlushAsync().ConfigureAwait(false)).IsCompleted) return;
            }
        }
        finally
        {
            // The reader may wait on a full queue or on the socket: both end now. The connection is disposed by RunAsync.
            _closing.Cancel();
        }
    }
}
