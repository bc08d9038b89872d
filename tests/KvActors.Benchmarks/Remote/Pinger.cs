using System.Diagnostics;
using KvActors.Actor;
using KvActors.Remote.Transport;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// Round trips with exactly one request outstanding: each reply (on the transport's read loop)
/// records the latency and sends the next ping, so no thread hop of ours is in the figure.
/// </summary>
internal sealed class Pinger(TcpTransport transport, Address peer, string echo, string self)
{
    private readonly OutboundEnvelope _ping = new(echo, self, new byte[BenchProtocol.PayloadBytes]);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double[] _samples = new double[1 << 22];
    private int _count;
    private long _sentAt;
    private volatile bool _measuring, _stop;

    /// <summary>The measured round-trip times in microseconds, sorted.</summary>
    public async Task<double[]> Run(TimeSpan warmup, TimeSpan measure)
    {
        SendNext();
        await Task.Delay(warmup);
        _measuring = true;
        await Task.Delay(measure);
        _stop = true;
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var result = _samples[..Volatile.Read(ref _count)];
        Array.Sort(result);
        return result;
    }

    public void OnReply()
    {
        var micros = Stopwatch.GetElapsedTime(_sentAt).TotalMicroseconds;
        if (_measuring && _count < _samples.Length) _samples[_count++] = micros;
        if (_stop) _stopped.TrySetResult();
        else SendNext();
    }

    private void SendNext()
    {
        _sentAt = Stopwatch.GetTimestamp();
        var r = transport.Send(peer, _ping);
        if (r != SendResult.Enqueued) throw new InvalidOperationException($"ping not sent: {r}");
    }
}
