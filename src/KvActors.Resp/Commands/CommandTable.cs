using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// Every command the front end answers, by name, and the one dispatch path: authentication first (NOAUTH), then the
/// name (unknown command), the arity (wrong number of arguments), then the handler. A handler that throws gets an error
/// reply; nothing a client sends can take the connection's loop down.
/// </summary>
public static class CommandTable
{
    public static readonly IReadOnlyDictionary<string, CommandSpec> Commands =
        ConnectionCommands.All
            .Concat(ServerCommands.All)
            .Concat(StringCommands.All)
            .Concat(KeyspaceCommands.All)
            .Concat(AtomicCommands.All)
            .Concat(ClusterCommands.All)
            .ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The table looked up by the name's characters, so no string is made per command.</summary>
    private static readonly Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> ByName =
        ((Dictionary<string, CommandSpec>)Commands).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>No command name is longer; a longer first argument is unknown without a look.</summary>
    private const int MaxNameLength = 32;

    internal static bool TryFind(byte[] name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CommandSpec? spec)
    {
        spec = null;
        if (name.Length > MaxNameLength) return false;
        Span<char> chars = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++) chars[i] = (char)name[i]; // a non-ASCII byte matches no name
        return ByName.TryGetValue(chars, out spec);
    }

    public static ValueTask<RespValue> Dispatch(RespSession session, RespCommand command) =>
        Dispatch(session, command, TryFind(command[0], out var spec) ? spec : null);

    /// <summary>As <see cref="Dispatch(RespSession, RespCommand)"/>, for a caller that looked the command up already (null: unknown).</summary>
    internal static ValueTask<RespValue> Dispatch(RespSession session, RespCommand command, CommandSpec? spec)
    {
        session.Node.Stats.CommandProcessed();
        if (spec is null)
            return ValueTask.FromResult(session.Authenticated ? Replies.UnknownCommand(command) : Replies.NoAuth);
        if (!session.Authenticated && !spec.Flags.Contains("noauth"))
            return ValueTask.FromResult(Replies.NoAuth);
        if (!spec.AcceptsArity(command.Count))
            return ValueTask.FromResult(Replies.WrongArity(spec.Name));
        try
        {
            var reply = spec.Handler(session, command);
            return reply.IsCompletedSuccessfully || spec.AnswersFailures ? reply : Guarded(reply, spec.Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ValueTask.FromResult(Failed(spec.Name, e));
        }
    }

    /// <summary>
    /// The answer to a command one of whose arguments the parser read past as too long for the store to keep: NOAUTH before
    /// authentication (as any command), else one error that names the argument's size, the store's limit and its setting
    /// (a key's when the argument is one of the command's keys, a value's otherwise). Nothing runs, nothing is stored.
    /// </summary>
    internal static RespValue RefuseOversized(RespSession session, OversizedCommand command)
    {
        session.Node.Stats.CommandProcessed();
        var known = TryFind(command[0], out var spec);
        if (!session.Authenticated && !(known && spec!.Flags.Contains("noauth"))) return Replies.NoAuth;
        var (index, length) = command.Oversized;
        var limits = session.Node.Settings.Limits;
        return known && spec!.IsKeyAt(index, command.Count)
            ? Replies.OverStoreLimit("key", length, limits.MaxKeyLength, "max-key-size")
            : Replies.OverStoreLimit("value", length, limits.MaxValueLength, "max-value-size");
    }

    /// <summary>The reply, or an error reply when it faults.</summary>
    internal static async ValueTask<RespValue> Guarded(ValueTask<RespValue> reply, string name)
    {
        try
        {
            return await reply.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(name, e);
        }
    }

    internal static RespValue Failed(string name, Exception e) =>
        RespValue.Error($"ERR {name} failed on this node: {e.Message.TrimEnd('.')}");
}
