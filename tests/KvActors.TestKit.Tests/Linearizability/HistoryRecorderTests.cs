using KvActors.TestKit.Linearizability;

namespace KvActors.TestKit.Tests.Linearizability;

public sealed class HistoryRecorderTests
{
    [Fact]
    public void Records_times_results_unknown_and_dropped_operations()
    {
        var clock = new ManualClock(100);
        var recorder = new HistoryRecorder(clock);
        var put = recorder.Invoke(1, "k", KvOp.Put("a"));
        clock.Advance(5);
        var get = recorder.Invoke(2, "k", KvOp.Get());
        clock.Advance(5);
        recorder.Complete(put, OpResult.Ok);
        var del = recorder.Invoke(3, "k", KvOp.Delete());
        var refused = recorder.Invoke(3, "k", KvOp.Put("big"));
        clock.Advance(5);
        recorder.Complete(get, OpResult.Found("a"));
        recorder.Fail(del);
        recorder.FailedDefinitely(refused);
        var pending = recorder.Invoke(4, "k", KvOp.Put("b"));

        var h = recorder.Snapshot();
        h.Should().HaveCount(4);
        h[0].Should().Match<Operation>(o => o.ClientId == 1 && o.InvokeTicks == 100 && o.ResponseTicks == 110 && o.Result == OpResult.Ok);
        h[1].Should().Match<Operation>(o => o.Op.Kind == OpKind.Get && o.InvokeTicks == 105 && o.ResponseTicks == 115 && o.Result.Value == "a");
        h[2].Should().Match<Operation>(o => o.Op.Kind == OpKind.Delete && o.IsUnknown && o.ResponseTicks == long.MaxValue);
        h[3].Should().Match<Operation>(o => o.Id == pending.Id && o.IsUnknown); // still pending = may yet happen
        h.Select(o => o.Id).Should().BeInAscendingOrder();
        LinearizabilityChecker.Check(h).IsLinearizable.Should().BeTrue();
    }

    [Fact]
    public void Misuse_is_refused()
    {
        var recorder = new HistoryRecorder(new ManualClock());
        var h = recorder.Invoke(1, "k", KvOp.Get());
        FluentActions.Invoking(() => recorder.Complete(h, OpResult.Ok)).Should().Throw<ArgumentException>();
        recorder.Complete(h, OpResult.NotFound);
        FluentActions.Invoking(() => recorder.Complete(h, OpResult.NotFound)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => recorder.Fail(h)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => new HistoryRecorder().Fail(recorder.Invoke(1, "k", KvOp.Get()))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task Concurrent_clients_against_a_locked_register_record_a_linearizable_history()
    {
        var recorder = new HistoryRecorder();
        var store = new Dictionary<string, string>();
        var keys = new[] { "x", "y" };
        var tasks = Enumerable.Range(1, 8).Select(client => Task.Run(() =>
        {
            var rng = new Random(client);
            for (var i = 0; i < 300; i++)
            {
                var key = keys[rng.Next(keys.Length)];
                var roll = rng.Next(10);
                var op = roll < 4 ? KvOp.Put($"{client}-{i}") : roll < 8 ? KvOp.Get() : KvOp.Delete();
                var h = recorder.Invoke(client, key, op);
                if (rng.Next(50) == 0)
                {
                    recorder.Fail(h); // gave up without knowing (here: never sent)
                    continue;
                }

                OpResult result;
                lock (store)
                {
                    result = op.Kind switch
                    {
                        OpKind.Put => Put(key, op.Value!),
                        OpKind.Get => OpResult.Read(store.GetValueOrDefault(key)),
                        _ => OpResult.Deleted(store.Remove(key)),
                    };
                }

                recorder.Complete(h, result);
            }
        }));
        await Task.WhenAll(tasks);

        var history = recorder.Snapshot();
        history.Should().HaveCount(8 * 300);
        var r = LinearizabilityChecker.Check(history, new CheckOptions { TicksPerSecond = recorder.Clock.TicksPerSecond });
        r.Outcome.Should().Be(CheckOutcome.Linearizable, r.Explanation);

        OpResult Put(string key, string value)
        {
            store[key] = value;
            return OpResult.Ok;
        }
    }
}
