using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KvActors.TestKit.Linearizability;

public enum CheckOutcome
{
    Linearizable,
    NotLinearizable,

    /// <summary>The step budget ran out on some key before the search could decide.</summary>
    Unknown,
}

public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    /// <summary>
    /// Search steps allowed per key (one step = one candidate tried or one backtrack); null = no limit.
    /// When a key exceeds it, the result is <see cref="CheckOutcome.Unknown"/> instead of a hang.
    /// </summary>
    public long? MaxStepsPerKey { get; init; } = 10_000_000;

    /// <summary>Clock ticks per second, to print times in ms (e.g. <c>recorder.Clock.TicksPerSecond</c>); null prints raw ticks.</summary>
    public double? TicksPerSecond { get; init; }

    /// <summary>At most this many operations are listed per section of a failure report.</summary>
    public int MaxOpsShown { get; init; } = 16;
}

public sealed class CheckResult
{
    internal CheckResult(CheckOutcome outcome, string? key, string explanation, long steps, int keys, int operations, IReadOnlyList<string> failedKeys, TimeSpan elapsed)
    {
        Outcome = outcome;
        Key = key;
        Explanation = explanation;
        Steps = steps;
        KeysChecked = keys;
        OperationsChecked = operations;
        FailedKeys = failedKeys;
        Elapsed = elapsed;
    }

    public CheckOutcome Outcome { get; }

    public bool IsLinearizable => Outcome == CheckOutcome.Linearizable;

    /// <summary>The (first, in ordinal order) key that is not linearizable, or whose budget ran out; null when linearizable.</summary>
    public string? Key { get; }

    /// <summary>Every key found not linearizable.</summary>
    public IReadOnlyList<string> FailedKeys { get; }

    /// <summary>A human-readable verdict; for a failure the key and the window of operations that could not be linearized.</summary>
    public string Explanation { get; }

    /// <summary>Search steps taken over all keys.</summary>
    public long Steps { get; }

    public int KeysChecked { get; }

    public int OperationsChecked { get; }

    public TimeSpan Elapsed { get; }

    public override string ToString() => Explanation;
}

/// <summary>
/// Linearizability checker for histories of put/get/delete over many keys: each key is an
/// independent register (linearizability is compositional), checked with the Wing &amp; Gong search
/// as improved by Lowe ("Testing for linearizability", 2017): depth-first over which pending
/// operation takes effect next, memoising every (set of linearized operations, register state)
/// already explored so no configuration is searched twice.
/// </summary>
/// <remarks>
/// Register model: the state is a value or absent (initially absent). A put sets it; a get must
/// observe it (not found = absent); a delete answers whether a value was present and leaves it absent.
/// An operation with an unknown outcome may take effect at any point after its invocation or never;
/// its result is unconstrained (an unknown get is therefore ignored). The search tries such operations
/// only after the known ones and only right before a known one that needs their effect (any
/// linearization can be rewritten into that form), and since they are
/// optional, a dead end with a set of them linearized also rules out every superset of that set
/// (same known ops, same state): this keeps histories with many timed-out operations tractable.
/// Cost: a linearizable history is usually confirmed in a few dozen steps per operation; refuting
/// one explores every configuration reachable before the violation, which grows with concurrency and
/// with the number of unknown-outcome operations on the key (thousands of operations with 8 clients
/// and ~1% unknown take about a million steps; several percent unknown can exceed the default
/// budget, giving <see cref="CheckOutcome.Unknown"/>).
/// </remarks>
public static class LinearizabilityChecker
{
    public static CheckResult Check(IEnumerable<Operation> history, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= CheckOptions.Default;
        var sw = Stopwatch.StartNew();
        var byKey = new Dictionary<string, List<Operation>>(StringComparer.Ordinal);
        var total = 0;
        foreach (var op in history)
        {
            ArgumentNullException.ThrowIfNull(op);
            if (!byKey.TryGetValue(op.Key, out var list)) byKey[op.Key] = list = [];
            list.Add(op);
            total++;
        }

        long steps = 0;
        var failed = new List<string>();
        string? firstFailure = null;
        string? firstUnknownKey = null;
        string? unknownText = null;
        foreach (var key in byKey.Keys.Order(StringComparer.Ordinal))
        {
            var r = new KeySearch(key, byKey[key], options).Run();
            steps += r.Steps;
            if (r.Outcome == CheckOutcome.NotLinearizable)
            {
                failed.Add(key);
                firstFailure ??= r.Explanation;
            }
            else if (r.Outcome == CheckOutcome.Unknown && firstUnknownKey is null)
            {
                firstUnknownKey = key;
                unknownText = r.Explanation;
            }
        }

        sw.Stop();
        var summary = $"{total} operations on {byKey.Count} keys, {steps} search steps, {sw.Elapsed.TotalMilliseconds:0.#} ms";
        if (failed.Count > 0)
        {
            var more = failed.Count > 1
                ? $"\n({failed.Count - 1} more keys not linearizable: {string.Join(", ", failed.Skip(1).Take(10).Select(k => Quote(k)))}{(failed.Count > 11 ? ", ..." : "")})"
                : "";
            return new CheckResult(CheckOutcome.NotLinearizable, failed[0], $"{firstFailure}{more}\n[{summary}]", steps, byKey.Count, total, failed, sw.Elapsed);
        }

        if (firstUnknownKey is not null)
            return new CheckResult(CheckOutcome.Unknown, firstUnknownKey, $"{unknownText}\n[{summary}]", steps, byKey.Count, total, failed, sw.Elapsed);
        return new CheckResult(CheckOutcome.Linearizable, null, $"Linearizable: {summary}.", steps, byKey.Count, total, failed, sw.Elapsed);
    }

    internal static string Quote(string key) => "\"" + (key.Length <= 60 ? key : key[..60] + "...") + "\"";

    private readonly record struct KeyResult(CheckOutcome Outcome, string Explanation, long Steps);

    /// <summary>The WGL/Lowe search over one key's history.</summary>
    private sealed class KeySearch
    {
        private const int Absent = 0;
        private const int Unread = 1;

        private readonly string _key;
        private readonly CheckOptions _options;
        private readonly int _opCount; // all operations on the key, as given
        private readonly Operation[] _ops; // known ops [0, _known), then unknown ones
        private readonly int _known;
        private readonly int _unknown;
        private readonly OpKind[] _kind;
        private readonly int[] _value; // put: value id; get: observed id (0 = not found)
        private readonly bool[] _existed;
        private readonly int[] _writers; // value id -> number of puts (known or not) writing it
        private readonly int _knownWords;
        private readonly ulong[] _zobrist;
        private readonly string?[] _valueNames; // id -> value

        // Known ops as a doubly linked list of call/return entries in time order; 0 = head, -1 = end.
        // Entry 2i+1 is the call of op i, 2i+2 its return.
        private readonly int[] _next;
        private readonly int[] _prev;

        // Unknown ops (call only: no return ever) in invocation order; node u+1 is unknown op u, 0 = head.
        private readonly int[] _uNext;
        private readonly int[] _uPrev;

        public KeySearch(string key, List<Operation> ops, CheckOptions options)
        {
            _key = key;
            _options = options;
            _opCount = ops.Count;
            // An unknown get constrains nothing and changes nothing: leave it out.
            var known = ops.Where(o => !o.IsUnknown).OrderBy(o => o.InvokeTicks).ThenBy(o => o.Id).ToArray();
            var unknown = ops.Where(o => o.IsUnknown && o.Op.Kind != OpKind.Get).OrderBy(o => o.InvokeTicks).ThenBy(o => o.Id).ToArray();
            _known = known.Length;
            _unknown = unknown.Length;
            _ops = [.. known, .. unknown];
            var n = _ops.Length;
            _kind = new OpKind[n];
            _value = new int[n];
            _existed = new bool[n];
            // Values some get read have their own id; all values no get read are one state (Unread):
            // nothing can tell them apart, and merging them lets the memo recognise more configurations.
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var names = new List<string?> { null, "(a value no get read)" };
            foreach (var o in known)
            {
                if (o.Op.Kind == OpKind.Get && o.Result.Value is { } read && !ids.ContainsKey(read))
                {
                    ids[read] = names.Count;
                    names.Add(read);
                }
            }

            _writers = new int[names.Count];
            for (var i = 0; i < n; i++)
            {
                var o = _ops[i];
                _kind[i] = o.Op.Kind;
                _existed[i] = o.Result.Existed;
                _value[i] = o.Op.Kind switch
                {
                    OpKind.Put => ids.GetValueOrDefault(o.Op.Value!, Unread),
                    OpKind.Get => o.Result.Value is { } read ? ids[read] : Absent,
                    _ => Absent,
                };
                if (o.Op.Kind == OpKind.Put) _writers[_value[i]]++;
            }

            _valueNames = [.. names];
            _knownWords = (_known + 63) / 64;
            var rng = new Random(12345);
            _zobrist = new ulong[n];
            for (var i = 0; i < n; i++) _zobrist[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);

            // Known entries sorted by time; at equal ticks calls come before returns (equal = concurrent).
            var entries = new int[2 * _known];
            for (var i = 0; i < entries.Length; i++) entries[i] = i + 1;
            long Time(int e) => (e & 1) == 1 ? _ops[(e - 1) / 2].InvokeTicks : _ops[(e - 2) / 2].ResponseTicks;
            Array.Sort(entries, (a, b) =>
            {
                var c = Time(a).CompareTo(Time(b));
                if (c != 0) return c;
                c = ((a & 1) == 1 ? 0 : 1).CompareTo((b & 1) == 1 ? 0 : 1);
                return c != 0 ? c : a.CompareTo(b);
            });
            _next = new int[2 * _known + 1];
            _prev = new int[2 * _known + 1];
            var last = 0;
            foreach (var e in entries)
            {
                _next[last] = e;
                _prev[e] = last;
                last = e;
            }

            _next[last] = -1;

            _uNext = new int[_unknown + 1];
            _uPrev = new int[_unknown + 1];
            for (var u = 0; u <= _unknown; u++)
            {
                _uNext[u] = u < _unknown ? u + 1 : -1;
                _uPrev[u] = u - 1;
            }
        }

        private static bool IsCall(int entry) => (entry & 1) == 1;

        private static int OpOfEntry(int entry) => (entry - 1) >> 1;

        private long EntryTime(int entry) => IsCall(entry) ? _ops[OpOfEntry(entry)].InvokeTicks : _ops[OpOfEntry(entry)].ResponseTicks;

        /// <summary>The register model: whether <paramref name="op"/> can take effect in <paramref name="state"/>, and the state after.</summary>
        private bool Step(int op, int state, out int next)
        {
            switch (_kind[op])
            {
                case OpKind.Put:
                    next = _value[op];
                    return true;
                case OpKind.Get: // only known gets reach the search
                    next = state;
                    return state == _value[op];
                default:
                    next = Absent;
                    return op >= _known || (state != Absent) == _existed[op];
            }
        }

        private readonly record struct Frame(int Op, bool UnknownPhase, int PrevState, int Return);

        public KeyResult Run()
        {
            // The linearized set: known ops (bitset over known indices) and unknown ops (bitset over unknown indices).
            var known = new ulong[_knownWords];
            var unknown = new ulong[(_unknown + 63) / 64];
            // Lowe's memo: every configuration (linearized set, register state) already explored to the
            // end. A configuration dominates another with the same known set and state but a superset of
            // unknown ops linearized (leftover unknown ops are optional), so a dead configuration also
            // rules out those it dominates. Each entry: (known set, state) -> unknown sets found dead.
            var dead = new Dictionary<CacheKey, List<ulong[]>>(CacheKeyComparer.Instance);
            var scratch = new ulong[known.Length + 1];
            var stack = new Stack<Frame>();
            ulong hash = 0; // Zobrist hash of the known set
            var state = Absent;
            var remaining = _known; // known ops not linearized yet
            var budget = _options.MaxStepsPerKey ?? long.MaxValue;
            long steps = 0;
            Stuck? deepest = null;

            var unknownPhase = false;
            var entry = _next[0]; // known phase: a list entry; unknown phase: an unknown-list node
            var ret = -1; // unknown phase: the first return entry of the known list

            while (remaining > 0)
            {
                if (++steps > budget)
                    return new KeyResult(CheckOutcome.Unknown,
                        $"Unknown (budget exhausted): key {Quote(_key)} ({_opCount} operations, {_unknown} with unknown outcome) was not decided within {budget} search steps.",
                        steps);

                int op;
                if (!unknownPhase)
                {
                    if (!IsCall(entry))
                    {
                        // Every pending known op was tried here; now the unknown ones invoked by then that
                        // one of those needs (never two unknown ops in a row: the second alone does the same).
                        ret = entry;
                        unknownPhase = true;
                        if (stack.Count > 0 && stack.Peek().UnknownPhase)
                        {
                            entry = -1;
                        }
                        else
                        {
                            ComputeNeeds(state, ret);
                            entry = NextUseful(0, ret);
                        }

                        continue;
                    }

                    op = OpOfEntry(entry);
                }
                else
                {
                    if (entry == -1)
                    {
                        // Nothing more can take effect before the op of `ret` must have: this configuration is dead.
                        if (deepest is null || stack.Count > deepest.Depth) deepest = Capture(stack, state, ret);
                        if (stack.Count == 0) break;
                        AddDead(dead, hash, state, known, unknown, scratch);
                        var f = stack.Pop();
                        state = f.PrevState;
                        if (f.UnknownPhase)
                        {
                            var ub = f.Op - _known;
                            unknown[ub >> 6] &= ~(1UL << ub);
                            var u = ub + 1;
                            _uNext[_uPrev[u]] = u;
                            if (_uNext[u] != -1) _uPrev[_uNext[u]] = u;
                            ret = f.Return;
                            ComputeNeeds(state, ret);
                            entry = NextUseful(u, ret);
                        }
                        else
                        {
                            hash ^= _zobrist[f.Op];
                            known[f.Op >> 6] &= ~(1UL << f.Op);
                            var call = 2 * f.Op + 1;
                            var r = call + 1;
                            _next[_prev[r]] = r;
                            if (_next[r] != -1) _prev[_next[r]] = r;
                            _next[_prev[call]] = call;
                            if (_next[call] != -1) _prev[_next[call]] = call;
                            remaining++;
                            unknownPhase = false;
                            entry = _next[call];
                        }

                        continue;
                    }

                    op = _known + entry - 1;
                }

                if (Step(op, state, out var newState))
                {
                    var isUnknown = op >= _known;
                    var set = isUnknown ? unknown : known;
                    var b = isUnknown ? op - _known : op;
                    set[b >> 6] |= 1UL << b;
                    var newHash = isUnknown ? hash : hash ^ _zobrist[op];
                    if (!IsDead(dead, newHash, newState, known, unknown, scratch))
                    {
                        stack.Push(new Frame(op, unknownPhase, state, ret));
                        hash = newHash;
                        state = newState;
                        if (!unknownPhase)
                        {
                            var call = entry;
                            var r = call + 1;
                            _next[_prev[call]] = _next[call];
                            if (_next[call] != -1) _prev[_next[call]] = _prev[call];
                            _next[_prev[r]] = _next[r];
                            if (_next[r] != -1) _prev[_next[r]] = _prev[r];
                            remaining--;
                        }
                        else
                        {
                            _uNext[_uPrev[entry]] = _uNext[entry];
                            if (_uNext[entry] != -1) _uPrev[_uNext[entry]] = _uPrev[entry];
                        }

                        unknownPhase = false;
                        entry = _next[0];
                        continue;
                    }

                    set[b >> 6] &= ~(1UL << b);
                }

                entry = unknownPhase ? NextUseful(entry, ret) : _next[entry];
            }

            if (remaining == 0)
                return new KeyResult(CheckOutcome.Linearizable, $"Key {Quote(_key)} is linearizable.", steps);
            return new KeyResult(CheckOutcome.NotLinearizable, Explain(deepest!), steps);
        }

        // What the pending known ops that cannot take effect in the current state would need instead.
        private readonly List<int> _neededValues = [];
        private bool _needPresent;
        private bool _needAbsent;

        /// <summary>
        /// An unknown op is only worth linearizing right before a pending known op that fails in the
        /// current state and would succeed in the state the unknown op leaves: any linearization can be
        /// rewritten into that form (an unknown op followed by an op that does not need it can be
        /// dropped, or moved after a get; of two unknown ops in a row only the second matters).
        /// </summary>
        private void ComputeNeeds(int state, int ret)
        {
            _neededValues.Clear();
            _needPresent = _needAbsent = false;
            for (var e = _next[0]; e != ret && e != -1; e = _next[e])
            {
                if (!IsCall(e)) continue;
                var op = OpOfEntry(e);
                switch (_kind[op])
                {
                    case OpKind.Get when state != _value[op]:
                        if (_value[op] == Absent) _needAbsent = true;
                        else _neededValues.Add(_value[op]);
                        break;
                    case OpKind.Delete when _existed[op] && state == Absent:
                        _needPresent = true;
                        break;
                    case OpKind.Delete when !_existed[op] && state != Absent:
                        _needAbsent = true;
                        break;
                }
            }
        }

        private readonly HashSet<int> _effectsSeen = [];

        /// <summary>
        /// The first unknown-list node after <paramref name="after"/> worth linearizing now (or -1):
        /// invoked by the time the op of <paramref name="ret"/> responds, its effect needed by a pending
        /// op, and the first pending unknown op with that effect (the others are interchangeable with
        /// it: each can take effect at any later point too).
        /// </summary>
        private int NextUseful(int after, int ret)
        {
            if (!_needPresent && !_needAbsent && _neededValues.Count == 0) return -1;
            var limit = EntryTime(ret);
            _effectsSeen.Clear();
            for (var u = _uNext[0]; u != -1 && _ops[_known + u - 1].InvokeTicks <= limit; u = _uNext[u])
            {
                var op = _known + u - 1;
                bool useful;
                if (_kind[op] == OpKind.Delete)
                {
                    useful = _needAbsent;
                }
                else
                {
                    var v = _value[op];
                    // A put right before a delete that found the key: its value is then gone, so a value
                    // some get read and only this put writes would be lost for that get.
                    useful = _neededValues.Contains(v) || (_needPresent && (v == Unread || _writers[v] > 1));
                }

                if (useful && _effectsSeen.Add(_value[op]) && u > after) return u;
            }

            return -1;
        }

        private static bool IsDead(Dictionary<CacheKey, List<ulong[]>> dead, ulong hash, int state, ulong[] known, ulong[] unknown, ulong[] scratch)
        {
            var len = Pack(known, scratch);
            if (!dead.TryGetValue(new CacheKey(hash, state, scratch, len), out var sets)) return false;
            foreach (var d in sets)
                if (IsSubset(d, unknown))
                    return true;
            return false;
        }

        private static void AddDead(Dictionary<CacheKey, List<ulong[]>> dead, ulong hash, int state, ulong[] known, ulong[] unknown, ulong[] scratch)
        {
            var len = Pack(known, scratch);
            var probe = new CacheKey(hash, state, scratch, len);
            if (!dead.TryGetValue(probe, out var sets))
            {
                dead.Add(new CacheKey(hash, state, scratch.AsSpan(0, len).ToArray(), len), sets = new List<ulong[]>(1));
            }
            else
            {
                // Keep only the minimal sets: a superset of the new one is dominated by it.
                sets.RemoveAll(d => IsSubset(unknown, d));
            }

            sets.Add((ulong[])unknown.Clone());
        }

        private static bool IsSubset(ulong[] a, ulong[] b)
        {
            for (var i = 0; i < a.Length; i++)
                if ((a[i] & ~b[i]) != 0)
                    return false;
            return true;
        }

        /// <summary>
        /// Compact form of the known set: without its leading all-ones and trailing all-zeros words
        /// (all ops before the frontier are linearized, none far after it), so entries stay small.
        /// </summary>
        private static int Pack(ulong[] bits, ulong[] into)
        {
            var lo = 0;
            while (lo < bits.Length && bits[lo] == ulong.MaxValue) lo++;
            var hi = bits.Length;
            while (hi > lo && bits[hi - 1] == 0) hi--;
            var len = 0;
            into[len++] = (ulong)(uint)lo;
            for (var i = lo; i < hi; i++) into[len++] = bits[i];
            return len;
        }

        private sealed record Stuck(int Depth, int Op, string? State, int[] Window, int[] Recent, int KnownLinearized);

        private Stuck Capture(Stack<Frame> stack, int state, int ret)
        {
            var window = new List<int>();
            for (var e = _next[0]; e != ret; e = _next[e])
                if (IsCall(e)) window.Add(OpOfEntry(e));
            var limit = EntryTime(ret);
            for (var u = _uNext[0]; u != -1 && _ops[_known + u - 1].InvokeTicks <= limit && window.Count < 200; u = _uNext[u])
                window.Add(_known + u - 1);
            var recent = stack.Take(Math.Max(1, _options.MaxOpsShown / 2)).Select(f => f.Op).Reverse().ToArray();
            var knownDone = stack.Count(f => f.Op < _known);
            var value = _valueNames[state];
            if (state == Unread) value = stack.Select(f => _ops[f.Op]).First(o => o.Op.Kind == OpKind.Put).Op.Value;
            return new Stuck(stack.Count, OpOfEntry(ret), value, [.. window], recent, knownDone);
        }

        private string Explain(Stuck s)
        {
            var origin = _ops.Length == 0 ? 0 : _ops.Min(o => o.InvokeTicks);
            double? perMs = _options.TicksPerSecond is { } f ? f / 1000.0 : null;
            var max = Math.Max(1, _options.MaxOpsShown);
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture,
                $"Not linearizable: key {Quote(_key)} ({_opCount} operations; times relative to the key's first invocation{(perMs is null ? ", in clock ticks" : "")}).\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"At best {s.KnownLinearized} of {_known} completed operations could be linearized; the register then holds {RegisterValue.Format(s.State)}, and the search is stuck at this operation, which must take effect before anything else responds but cannot in any order of the pending ones:\n");
            sb.Append("  ").Append(_ops[s.Op].Describe(origin, perMs)).Append('\n');
            // The window: what was still pending at that point, plus everything overlapping the stuck op in time.
            var stuck = _ops[s.Op];
            var all = s.Window
                .Concat(Enumerable.Range(0, _ops.Length).Where(i => _ops[i].InvokeTicks <= stuck.ResponseTicks && _ops[i].ResponseTicks >= stuck.InvokeTicks))
                .Distinct()
                .ToList();
            // Unknown-outcome ops invoked long before stay pending forever: only count those.
            var from = all.Where(i => i < _known).Select(i => _ops[i].InvokeTicks).DefaultIfEmpty(stuck.InvokeTicks).Min();
            var olderUnknown = all.Count(i => i >= _known && _ops[i].InvokeTicks < from);
            var window = all
                .Where(i => i < _known || _ops[i].InvokeTicks >= from)
                .OrderBy(i => _ops[i].InvokeTicks)
                .ThenBy(i => _ops[i].Id)
                .ToList();
            sb.Append("Smallest window not linearizable (operations concurrent with it or pending at that point; * = the one above):\n");
            foreach (var op in window.Take(max))
                sb.Append(op == s.Op ? "* " : "  ").Append(_ops[op].Describe(origin, perMs)).Append('\n');
            if (window.Count > max) sb.Append(CultureInfo.InvariantCulture, $"  ... and {window.Count - max} more\n");
            if (olderUnknown > 0) sb.Append(CultureInfo.InvariantCulture, $"  (and {olderUnknown} earlier operations with unknown outcome, which could still take effect)\n");
            if (s.Recent.Length > 0)
            {
                sb.Append("Preceded by (last operations of that best linearization, in order):\n");
                foreach (var op in s.Recent) sb.Append("  ").Append(_ops[op].Describe(origin, perMs)).Append('\n');
            }
            else
            {
                sb.Append("(Nothing could be linearized before it: the register starts absent.)\n");
            }

            return sb.ToString().TrimEnd('\n');
        }
    }

    private readonly struct CacheKey(ulong hash, int state, ulong[] data, int length)
    {
        public readonly ulong Hash = hash;
        public readonly int State = state;
        public readonly ulong[] Data = data;
        public readonly int Length = length;
    }

    private sealed class CacheKeyComparer : IEqualityComparer<CacheKey>
    {
        public static readonly CacheKeyComparer Instance = new();

        public bool Equals(CacheKey a, CacheKey b) =>
            a.Hash == b.Hash && a.State == b.State && a.Data.AsSpan(0, a.Length).SequenceEqual(b.Data.AsSpan(0, b.Length));

        public int GetHashCode(CacheKey k) => HashCode.Combine(k.Hash, k.State);
    }
}
