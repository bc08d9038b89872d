namespace KvActors.Cli;

/// <summary>Writes kv's errors: one plain sentence on stderr.</summary>
public static class CliError
{
    public static int Report(string message, int exitCode = ExitCodes.Error)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        Console.Error.WriteLine(line.EndsWith('.') ? line : line + ".");
        return exitCode;
    }
}
