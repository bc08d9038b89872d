using System.CommandLine;
using KvActors.Cli;
using KvActors.Cli.Commands;
using KvActors.Cli.Repl;

// kv: operator CLI. Parse errors are one sentence and exit code 2 (never a help dump),
// commands report their own failures the same way.
var root = new RootCommand("kv: talk to a KvActors cluster. With no command: the REPL.");
foreach (var option in GlobalOptions.All) root.Options.Add(option);
root.Options.Add(ReplCommand.Command);
root.Subcommands.Add(ClusterCommands.Create());
root.Subcommands.Add(RingCommands.Create());
root.Subcommands.Add(CertCommands.Create());
foreach (var data in DataCommands.Create()) root.Subcommands.Add(data);
root.SetAction((parsed, _) => ReplCommand.Run(parsed));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0) return CliError.Report(parsed.Errors[0].Message);
// Signals are handled where it matters (tail); the library's own handler would force an exit code.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
