using System.CommandLine;
using KvActors.Client;

namespace KvActors.Cli.Repl;

/// <summary>`kv` with no command: the REPL; `kv --command "LINE"`: one line, its exit code.</summary>
public static class ReplCommand
{
    public static readonly Option<string?> Command = new("--command", "-c") { Description = "Run one REPL line (e.g. \"PING\") and exit with its code." };

    public static async Task<int> Run(ParseResult parsed)
    {
        AdminClientOptions options;
        try { options = GlobalOptions.ClientOptions(parsed); }
        catch (FormatException e) { return CliError.Report(e.Message); }
        await using var session = new ReplSession(options, parsed.GetValue(GlobalOptions.Json));
        if (parsed.GetValue(Command) is { } line) return await session.Execute(line).ConfigureAwait(false);

        var interactive = !Console.IsInputRedirected;
        if (interactive) Console.WriteLine("kv REPL: type HELP for commands, EXIT to leave.");
        while (!session.ExitRequested)
        {
            if (interactive) Console.Write("kv> ");
            var next = Console.ReadLine();
            if (next is null) break; // end of input
            await session.Execute(next).ConfigureAwait(false); // in the REPL an error is printed, not fatal
        }
        return ExitCodes.Success;
    }
}
