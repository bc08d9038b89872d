using System.CommandLine;
using System.Runtime.InteropServices;
using KvActors.Cli.Output;
using KvActors.Client;

namespace KvActors.Cli.Commands;

/// <summary>`kv cluster show | leave ADDR | down ADDR | join ADDR | down-unreachable | tail`.</summary>
public static class ClusterCommands
{
    public static Command Create()
    {
        var cluster = new Command("cluster", "Inspect and steer cluster membership.");
        cluster.Subcommands.Add(Show());
        cluster.Subcommands.Add(Verb("leave", "Ask a member to leave the cluster gracefully.", "Leave", (c, a) => c.LeaveAsync(a)));
        cluster.Subcommands.Add(Verb("down", "Mark a member Down (removed without handing off; for members that are gone).", "Down", (c, a) => c.DownAsync(a)));
        cluster.Subcommands.Add(Verb("join", "Make the node at --seeds join the cluster of the node at ADDR.", "Join of the cluster at", (c, a) => c.JoinAsync(a)));
        cluster.Subcommands.Add(DownUnreachable());
        cluster.Subcommands.Add(Tail());
        return cluster;
    }

    private static Command Show()
    {
        var show = new Command("show", "Members, their status and reachability, leader and singleton host, as one node sees them; " +
            StoreStatsHelp);
        show.SetAction((parsed, _) => ClientRunner.Run(parsed, async client =>
        {
            var status = await client.ShowAsync().ConfigureAwait(false);
            var stats = await client.StoreStatsAsync(status).ConfigureAwait(false);
            if (parsed.GetValue(GlobalOptions.Json)) Console.WriteLine(ClusterJson.Show(status, stats));
            else ClusterTable.Write(Terminal.Create(), status, stats);
            return ExitCodes.Success;
        }));
        return show;
    }

    /// <summary>What the store columns of `kv cluster show` and STATUS mean.</summary>
    public const string StoreStatsHelp =
        "and per member what its partitions report: partitions held as primary/replica/learner (as each replica sees its role), " +
        "keys and bytes (key + value) over all of them (a key counts once per replica), and replication lag: the largest, " +
        "over the member's primaries, of the last prepared seq minus the seq its slowest in-sync replica acknowledged, " +
        "i.e. writes logged at a primary that some in-sync replica has not yet confirmed (0 when all are caught up).";

    private static Command Verb(string name, string description, string noun, Func<AdminClient, string, Task<string?>> act)
    {
        var address = new Argument<string>("address") { Description = "The member's host:port." };
        var command = new Command(name, description) { address };
        command.SetAction((parsed, _) =>
        {
            // Checked before contacting anyone: a typo should not cost a connection and a timeout.
            var target = parsed.GetValue(address)!.Trim();
            if (HostPort.TryParse(target, out var error) is null) return Task.FromResult(CliError.Report(error!));
            return ClientRunner.Run(parsed, async client =>
            {
                var refused = await act(client, target).ConfigureAwait(false);
                if (refused is not null) return CliError.Report(refused);
                Console.WriteLine(parsed.GetValue(GlobalOptions.Json) ? "{\"ok\": true}" : $"{noun} {target} accepted by {client.Node}.");
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command DownUnreachable()
    {
        var command = new Command("down-unreachable", "Mark every unreachable member Down.");
        command.SetAction((parsed, _) => ClientRunner.Run(parsed, async client =>
        {
            var downed = await client.DownUnreachableAsync().ConfigureAwait(false);
            if (parsed.GetValue(GlobalOptions.Json)) Console.WriteLine(ClusterJson.Addresses(downed));
            else Console.WriteLine(downed.Count == 0 ? "No member is unreachable; nothing was downed." : $"Downed: {string.Join(", ", downed)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Tail()
    {
        var command = new Command("tail", "Print cluster events as they happen, until Ctrl+C.");
        command.SetAction((parsed, _) => ClientRunner.Run(parsed, async client =>
        {
            using var stop = new CancellationTokenSource();
            // Ctrl+C and SIGTERM end the stream normally (exit 0) after the subscription is cancelled at the node.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var json = parsed.GetValue(GlobalOptions.Json);
            if (!json) Console.Error.WriteLine($"Following cluster events at {client.Node}; Ctrl+C stops.");
            await client.TailAsync(e =>
            {
                Console.WriteLine(json ? ClusterJson.Event(e) : EventText.Line(e));
                Console.Out.Flush();
            }, stop.Token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
