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
        var interactive = !Console.IsInputRedirected;
        var oneShot = parsed.GetValue(Command);
        // Scripts that pipe lines in get exactly one output line per command (errors included).
        await using var session = new ReplSession(options, parsed.GetValue(GlobalOptions.Json), oneLine: oneShot is null && !interactive);
        if (oneShot is not null) return await session.Execute(oneShot).ConfigureAwait(false);

        if (interactive) Console.WriteLine("kv REPL: type HELP for commands, EXIT to leave.");
        var failed = false;
        while (!session.ExitRequested)
        {
            if (interactive) Console.Write("kv> ");
            var next = Console.ReadLine();
            if (next is null) break; // end of input
            // In the REPL an error is printed, not fatal; a script learns of it from the exit code.
            // A key that is not there is an answer, not a failure.
            if (await session.Execute(next).ConfigureAwait(false) == ExitCodes.Error) failed = true;
        }
        return failed && !interactive ? ExitCodes.Error : ExitCodes.Success;
    }
}
