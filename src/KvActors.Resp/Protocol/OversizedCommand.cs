namespace KvActors.Resp.Protocol;

/// <summary>
/// A command one of whose arguments was longer than the store could keep (<see cref="RespLimits.MaxKeptBulkLength"/>):
/// the parser read past that argument's bytes and left it empty here. It is answered with an error, never run.
/// </summary>
public sealed class OversizedCommand(byte[][] arguments, OversizedArgument oversized) : RespCommand(arguments)
{
    /// <summary>The first argument read past.</summary>
    public OversizedArgument Oversized { get; } = oversized;
}

/// <summary>An argument read past as too long to keep: its position in the command and its declared length.</summary>
public sealed record OversizedArgument(int Index, long Length);
