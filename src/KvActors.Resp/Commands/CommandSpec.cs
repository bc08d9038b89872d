using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>Runs one command for one connection; may complete synchronously (most) or after a store request.</summary>
public delegate ValueTask<RespValue> CommandHandler(RespSession session, RespCommand command);

/// <summary>
/// A command as COMMAND describes it: Redis's arity (n = exactly n arguments with the name, -n = at least n), flags, key
/// positions (first, last, step; 0 = no keys, last -1 = to the end), group and summary; and its handler.
/// <paramref name="AnswersFailures"/>: the handler's task never faults (it answers every failure with an error reply
/// itself), so the dispatch need not wrap it in one more async method to catch them.
/// </summary>
public sealed record CommandSpec(
    string Name, int Arity, string[] Flags, int FirstKey, int LastKey, int Step, string Group, string Summary, CommandHandler Handler,
    bool AnswersFailures = false)
{
    public bool AcceptsArity(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>Whether argument <paramref name="index"/> of a command of <paramref name="count"/> arguments is a key by this spec's positions.</summary>
    public bool IsKeyAt(int index, int count)
    {
        if (FirstKey <= 0 || index < FirstKey) return false;
        var last = LastKey < 0 ? count + LastKey : LastKey;
        return index <= last && (Step <= 0 ? index == FirstKey : (index - FirstKey) % Step == 0);
    }

    /// <summary>The key arguments of <paramref name="command"/> by this spec's positions (one allocation: every command runs this).</summary>
    public byte[][] KeysOf(RespCommand command)
    {
        if (FirstKey <= 0 || FirstKey >= command.Count) return [];
        var last = Math.Min(LastKey < 0 ? command.Count + LastKey : LastKey, command.Count - 1);
        var step = Math.Max(Step, 1);
        if (last < FirstKey) return [];
        var keys = new byte[(last - FirstKey) / step + 1][];
        for (var i = 0; i < keys.Length; i++) keys[i] = command[FirstKey + i * step];
        return keys;
    }
}
