using System.CommandLine;
using System.Globalization;
using KvActors.Cli.Output;
using KvActors.Client;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Commands;

/// <summary>
/// `kv ring show [--key K | --partition N]`: the ring the first answering seed applied last (its /user/ring-keeper),
/// and for one partition what each of its replicas reports (asked of each node's /user/shards), with what the
/// RingManager waits for; `kv ring forget HOST:PORT...`: nodes gone for good, no longer counted in the rings' quorums.
/// </summary>
public static class RingCommands
{
    /// <summary>
    /// How long `kv ring show` waits for the RingManager's word, asked alongside the keeper's ring: it answers from memory,
    /// and a manager that is gone (being handed over) must not hold the ring's display back for the whole timeout.
    /// </summary>
    private static readonly TimeSpan ManagerWait = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var ring = new Command("ring", "Inspect the partition map (ring).");
        ring.Subcommands.Add(Show());
        ring.Subcommands.Add(Forget());
        return ring;
    }

    private static Command Forget()
    {
        var nodes = new Argument<string[]>("nodes") { Description = "The gone nodes' host:port.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("forget",
            "Declare nodes gone for good (their disks lost): the RingManager stops counting them in the quorums a ring needs, so " +
            "a cluster left with too few of a ring's nodes can change its ring again. A ring that only those nodes stored is lost " +
            "with them. Only nodes that are no longer members; tell a RingManager handed over before a ring without them is chosen again.") { nodes };
        command.SetAction((parsed, _) =>
        {
            var targets = parsed.GetValue(nodes)!.Select(n => n.Trim()).ToList();
            foreach (var target in targets)
                if (HostPort.TryParse(target, out var error) is null) return Task.FromResult(CliError.Report(error!));
            return ClientRunner.Run(parsed, async client =>
            {
                var reply = await client.ForgetAsync(targets).ConfigureAwait(false);
                if (!reply.Forgotten) return CliError.Report(reply.Message.TrimEnd('.'));
                Console.WriteLine(parsed.GetValue(GlobalOptions.Json) ? "{\"ok\": true}" : reply.Message);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Show()
    {
        var key = new Option<string?>("--key") { Description = "Show the partition that holds this key (UTF-8 text), and the key's slot." };
        var partition = new Option<string?>("--partition") { Description = "Show this partition (0 to partitions - 1)." };
        var show = new Command("show",
            "The ring's epoch, per node the partitions it holds as primary, in-sync replica and learner, and the partitions " +
            "with fewer in-sync replicas than the replication factor. With --key or --partition: that partition's slots, primary, " +
            "in-sync replicas and learners, and per replica what it reports: its role and epoch, its last prepared and committed " +
            "seq, the seq the primary knows it acknowledged, keys and bytes.") { key, partition };
        show.SetAction((parsed, _) =>
        {
            var keyText = parsed.GetValue(key);
            var partitionText = parsed.GetValue(partition);
            // Checked before contacting anyone: a typo should not cost a connection.
            if (keyText is not null && partitionText is not null) return Task.FromResult(CliError.Report("Use --key or --partition, not both"));
            int? number = null;
            if (partitionText is not null)
            {
                if (!int.TryParse(partitionText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    return Task.FromResult(CliError.Report($"--partition '{partitionText}' is not a partition number (0, 1, 2...)"));
                number = n;
            }
            return ClientRunner.Run(parsed, async client =>
            {
                var managerWaiting = keyText is null && number is null ? client.ManagerWaitingForAsync(ManagerWait) : null;
                var reply = await client.RingAsync().ConfigureAwait(false);
                RingState? state;
                try { state = RingWire.FromProtoOrNull(reply.Ring); }
                catch (FormatException e) { return CliError.Report($"{client.Node} sent a ring kv cannot read: {e.Message.TrimEnd('.')}"); }
                if (state is null)
                    return CliError.Report($"{client.Node} has no ring yet: {(string.IsNullOrWhiteSpace(reply.Status) ? "the cluster has not formed its first ring" : reply.Status.TrimEnd('.'))}");
                var json = parsed.GetValue(GlobalOptions.Json);
                var seenBy = client.Node.ToString();
                if (keyText is null && number is null)
                {
                    // A change the manager could not get stored (no quorum of a ring's nodes) is why a failover may not happen.
                    var waiting = await managerWaiting!.ConfigureAwait(false)
                                  ?? $"did not answer within {ManagerWait.TotalSeconds:0} s (none is running, or it is being handed over).";
                    if (json) Console.WriteLine(RingJson.Show(seenBy, state, waiting));
                    else RingTable.Write(Terminal.Create(), seenBy, state, waiting);
                    return ExitCodes.Success;
                }
                var p = number ?? new Partitioner(state.PartitionCount).PartitionOf(keyText!);
                if (p >= state.PartitionCount)
                    return CliError.Report($"Partition {p} does not exist: the ring has {state.PartitionCount} partitions, numbered 0 to {state.PartitionCount - 1}");
                var report = PartitionReport.Of(seenBy, state, p, keyText, await Reports(client, state[p], p).ConfigureAwait(false));
                if (json) Console.WriteLine(RingJson.Partition(report));
                else RingTable.Write(Terminal.Create(), report);
                return ExitCodes.Success;
            });
        });
        return show;
    }

    /// <summary>Every replica of the partition asked at once; a node that does not answer in time is left out.</summary>
    private static async Task<IReadOnlyDictionary<string, PartitionStatsReply>> Reports(AdminClient client, ReplicaSet set, int partition)
    {
        var nodes = set.Replicas.Select(n => n.Value).ToList();
        var replies = await Task.WhenAll(nodes.Select(n => client.PartitionStatsAsync(n, partition))).ConfigureAwait(false);
        var result = new Dictionary<string, PartitionStatsReply>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
            if (replies[i] is { } reply) result[nodes[i]] = reply;
        return result;
    }
}
