namespace KvActors.Cli;

/// <summary>Writes kv's errors: one plain sentence on stderr.</summary>
public static class CliError
{
    public static int Report(string message, int exitCode = ExitCodes.Error)
    {
        Console.Error.WriteLine(Sentence(message));
        return exitCode;
    }

    public static string Sentence(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.EndsWith('.') ? line : line + ".";
    }
}
