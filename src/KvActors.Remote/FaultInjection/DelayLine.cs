using System.Threading.Channels;

namespace KvActors.Remote.FaultInjection;

/// <summary>
/// Releases work items after their due time, in the order they were added (all items for one
/// peer share the same delay, so first in is first due). Used only while a Delay fault is set.
/// </summary>
internal sealed class DelayLine
{
    private readonly Channel<(long DueMs, Action Release)> _items = Channel.CreateUnbounded<(long, Action)>(new UnboundedChannelOptions { SingleReader = true });

    public DelayLine() => _ = Task.Run(PumpAsync);

    public void Add(TimeSpan delay, Action release) =>
        _items.Writer.TryWrite((Environment.TickCount64 + (long)delay.TotalMilliseconds, release));

    public void Stop() => _items.Writer.TryComplete();

    private async Task PumpAsync()
    {
        await foreach (var (due, release) in _items.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var wait = due - Environment.TickCount64;
            if (wait > 0) await Task.Delay((int)wait).ConfigureAwait(false);
            try { release(); }
            catch (Exception) { /* the transport reports its own failures */ }
        }
    }
}
