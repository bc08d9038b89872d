namespace KvActors.Resp.Protocol;

/// <summary>
/// An argument longer than the store could keep (<see cref="RespLimits.MaxKeptBulkLength"/>) that the parser read past:
/// its position in the command and its declared length. The command carries an empty argument in its place and is
/// answered with an error, never run.
/// </summary>
public readonly record struct OversizedArgument(int Index, long Length);
