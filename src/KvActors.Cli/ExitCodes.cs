namespace KvActors.Cli;

/// <summary>kv's exit codes (DESIGN.md §7), so scripts can tell "not there" from "could not ask".</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The key does not exist (data commands, once the store exists).</summary>
    public const int NotFound = 1;
    /// <summary>Bad usage, or no node could be reached or it refused.</summary>
    public const int Error = 2;
}
