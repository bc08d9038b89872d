using System.Diagnostics;
using KvActors.TestKit.Linearizability;
using Xunit.Abstractions;

namespace KvActors.TestKit.Tests.Linearizability;

public sealed class RandomizedHistoryTests(ITestOutputHelper output)
{
    private static readonly CheckOptions Budget = new() { MaxStepsPerKey = 5_000_000 };

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.03)]
    public void Simulated_linearizable_histories_pass(double unknownRate)
    {
        for (var seed = 1; seed <= 150; seed++)
        {
            var rng = new Random(seed);
            var history = RegisterSimulation.Generate(rng, clients: rng.Next(2, 9), operations: rng.Next(20, 300), keys: ["a", "b", "c"], unknownRate);
            var r = LinearizabilityChecker.Check(history, Budget);
            r.Outcome.Should().Be(CheckOutcome.Linearizable, $"seed {seed}: {r.Explanation}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.03)]
    public void A_single_injected_stale_read_fails(double unknownRate)
    {
        var injected = 0;
        for (var seed = 1; seed <= 150; seed++)
        {
            var rng = new Random(seed);
            var history = RegisterSimulation.Generate(rng, clients: rng.Next(2, 9), operations: rng.Next(20, 300), keys: ["a", "b", "c"], unknownRate);
            if (RegisterSimulation.InjectStaleRead(rng, history) is not var (bad, corrupted)) continue;
            injected++;
            var r = LinearizabilityChecker.Check(bad, Budget);
            r.Outcome.Should().Be(CheckOutcome.NotLinearizable, $"seed {seed}, corrupted {corrupted}: {r.Explanation}");
            r.FailedKeys.Should().Equal([corrupted.Key], $"seed {seed}");
            if (seed == 1) output.WriteLine(r.Explanation);
        }

        injected.Should().BeGreaterThan(100);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.10)]
    public void Two_thousand_operations_by_eight_clients_on_one_key(double unknownRate)
    {
        var history = RegisterSimulation.Generate(new Random(2000), clients: 8, operations: 2_000, keys: ["hot"], unknownRate);
        var sw = Stopwatch.StartNew();
        var r = LinearizabilityChecker.Check(history, new CheckOptions { MaxStepsPerKey = 2_000_000 });
        sw.Stop();
        output.WriteLine($"{r.Explanation} (measured {sw.Elapsed.TotalMilliseconds:0.0} ms)");
        r.Outcome.Should().Be(CheckOutcome.Linearizable, r.Explanation);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Two_thousand_operations_with_one_stale_read(double unknownRate)
    {
        var rng = new Random(2000);
        var history = RegisterSimulation.Generate(rng, clients: 8, operations: 2_000, keys: ["hot"], unknownRate);
        var (bad, corrupted) = RegisterSimulation.InjectStaleRead(rng, history) ?? throw new InvalidOperationException("no stale read to inject");
        var sw = Stopwatch.StartNew();
        var r = LinearizabilityChecker.Check(bad, new CheckOptions { MaxStepsPerKey = 5_000_000 });
        sw.Stop();
        output.WriteLine($"corrupted {corrupted}:\n{r.Explanation} (measured {sw.Elapsed.TotalMilliseconds:0.0} ms)");
        r.Outcome.Should().Be(CheckOutcome.NotLinearizable, r.Explanation);
    }

    /// <summary>
    /// Small random histories (random results, so many are not linearizable; few values, so values
    /// repeat; ties in time; unknown outcomes) checked against a brute-force search over every order.
    /// </summary>
    [Fact]
    public void Agrees_with_brute_force_on_small_random_histories()
    {
        var verdicts = new int[2];
        for (var seed = 1; seed <= 3_000; seed++)
        {
            var rng = new Random(seed);
            var n = rng.Next(1, 8);
            var ops = new List<Operation>();
            for (var i = 0; i < n; i++)
            {
                var invoke = rng.Next(0, 20);
                var response = invoke + rng.Next(0, 8);
                var roll = rng.Next(10);
                var value = rng.Next(3) == 0 ? "b" : "a";
                var op = roll < 4 ? KvOp.Put(value) : roll < 8 ? KvOp.Get() : KvOp.Delete();
                var result = rng.Next(5) == 0
                    ? OpResult.Unknown
                    : op.Kind switch
                    {
                        OpKind.Put => OpResult.Ok,
                        OpKind.Get => OpResult.Read(rng.Next(3) switch { 0 => null, 1 => "a", _ => "b" }),
                        _ => OpResult.Deleted(rng.Next(2) == 0),
                    };
                ops.Add(new Operation(i + 1, i, "k", op, result, invoke, response));
            }

            var expected = BruteForce(ops);
            var r = LinearizabilityChecker.Check(ops);
            r.Outcome.Should().Be(expected ? CheckOutcome.Linearizable : CheckOutcome.NotLinearizable,
                $"seed {seed}:\n{string.Join("\n", ops.Select(o => o.Describe()))}\n{r.Explanation}");
            verdicts[expected ? 0 : 1]++;
        }

        output.WriteLine($"linearizable {verdicts[0]}, not {verdicts[1]}");
        verdicts.Should().OnlyContain(v => v > 500);
    }

    /// <summary>Tries every order (unknown-outcome ops included or left out) that respects real time.</summary>
    private static bool BruteForce(List<Operation> ops)
    {
        var done = new bool[ops.Count];

        bool Search(string? state, int left)
        {
            if (Enumerable.Range(0, ops.Count).All(i => done[i] || ops[i].IsUnknown)) return true;
            for (var i = 0; i < ops.Count; i++)
            {
                if (done[i]) continue;
                var o = ops[i];
                // o can go next unless a pending op responded before o was invoked.
                if (Enumerable.Range(0, ops.Count).Any(j => !done[j] && ops[j].ResponseTicks < o.InvokeTicks)) continue;
                string? next;
                bool ok;
                switch (o.Op.Kind)
                {
                    case OpKind.Put:
                        (ok, next) = (true, o.Op.Value);
                        break;
                    case OpKind.Get:
                        (ok, next) = (o.IsUnknown || o.Result.Value == state, state);
                        break;
                    default:
                        (ok, next) = (o.IsUnknown || o.Result.Existed == (state is not null), null);
                        break;
                }

                if (!ok) continue;
                done[i] = true;
                var found = Search(next, left - 1);
                done[i] = false;
                if (found) return true;
            }

            return false;
        }

        return Search(null, ops.Count);
    }

    [Fact]
    public void Ten_thousand_operations_over_many_keys()
    {
        var rng = new Random(10_000);
        var keys = Enumerable.Range(0, 20).Select(i => "key-" + i).ToArray();
        var history = RegisterSimulation.Generate(rng, clients: 8, operations: 10_000, keys, unknownRate: 0.01);
        var r = LinearizabilityChecker.Check(history, Budget);
        output.WriteLine(r.Explanation);
        r.Outcome.Should().Be(CheckOutcome.Linearizable, r.Explanation);
        r.KeysChecked.Should().Be(20);
    }
}
