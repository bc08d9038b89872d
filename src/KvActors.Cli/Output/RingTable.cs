using KvActors.Store.Partitioning;
using Spectre.Console;

namespace KvActors.Cli.Output;

/// <summary>`kv ring show` for people: the ring's epoch and per-node counts, or one partition's replicas and their seqs.</summary>
public static class RingTable
{
    public static void Write(IAnsiConsole console, string seenBy, RingState ring, string? managerWaiting = null)
    {
        Tables.FitRedirected(console);
        var loads = RingFacts.Loads(ring);
        // Plain lines around the table: Spectre would wrap a long line at its assumed width when output is redirected.
        Console.WriteLine($"Ring epoch {ring.Epoch} seen by {seenBy}: {ring.PartitionCount} partitions, replication factor {ring.ReplicationFactor}, {loads.Count} nodes.");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Node")
            .AddColumn(new TableColumn("Primaries").RightAligned())
            .AddColumn(new TableColumn("Replicas").RightAligned())
            .AddColumn(new TableColumn("Learners").RightAligned());
        foreach (var (node, load) in loads)
            table.AddRow(Markup.Escape(node), Units.Number(load.Primaries), Units.Number(load.Followers), Units.Number(load.Learners));
        console.Write(table);
        var under = RingFacts.UnderReplicated(ring);
        Console.WriteLine($"Under-replicated (fewer than {ring.ReplicationFactor} in sync): " +
            (under.Count == 0 ? "none." : $"{under.Count} partitions: {NumberRuns.Of(under)}."));
        if (!string.IsNullOrEmpty(managerWaiting)) Console.WriteLine($"RingManager: {managerWaiting}");
    }

    public static void Write(IAnsiConsole console, PartitionReport report)
    {
        Tables.FitRedirected(console);
        var where = report.Key is null ? "" : $"Key {report.Key}: slot {report.Slot}, ";
        Console.WriteLine($"{where}{(where.Length == 0 ? "P" : "p")}artition {report.Partition} (slots {report.Slots}) in ring epoch {report.Epoch} seen by {report.SeenBy}: " +
            $"primary {report.Primary ?? "none"}, in sync {List(report.InSync)}, learners {List(report.Learners)}" +
            (report.UnderReplicated ? $"; under-replicated (fewer than {report.ReplicationFactor} in sync)." : "."));
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Node").AddColumn("Ring role").AddColumn("Reported role")
            .AddColumn(new TableColumn("Epoch").RightAligned())
            .AddColumn(new TableColumn("Prepared seq").RightAligned())
            .AddColumn(new TableColumn("Committed seq").RightAligned())
            .AddColumn(new TableColumn("Acked seq").RightAligned())
            .AddColumn(new TableColumn("Keys").RightAligned())
            .AddColumn(new TableColumn("Bytes").RightAligned());
        foreach (var row in report.Replicas)
        {
            var r = row.Reported;
            var acked = row.AckedByPrimary is { } seq ? (seq < 0 ? "none yet" : Units.Number(seq)) : "-";
            if (r is { Held: true, Unanswered: false })
                table.AddRow(Markup.Escape(row.Node), row.RingRole, Markup.Escape(r.Role), Units.Number(r.Epoch),
                    Units.Number(r.LastPreparedSeq), Units.Number(r.CommittedSeq), acked, Units.Number(r.Keys), Units.Bytes(r.Bytes));
            else
                table.AddRow(Markup.Escape(row.Node), row.RingRole, Status(r), "-", "-", "-", acked, "-", "-");
        }
        console.Write(table);
    }

    /// <summary>Why a replica has no figures: no answer from the node, its replica too slow, or the node does not hold it (yet).</summary>
    public static string Status(Store.Wire.Admin.PartitionStatsReply? reply) =>
        reply is null ? "no answer" : reply.Unanswered ? "busy" : "not held";

    private static string List(IReadOnlyList<string> nodes) => nodes.Count == 0 ? "none" : string.Join(", ", nodes);
}

/// <summary>Table settings shared by kv's tables.</summary>
public static class Tables
{
    /// <summary>Redirected output has no terminal width; Spectre would assume 80 columns and wrap cells.</summary>
    public static void FitRedirected(IAnsiConsole console)
    {
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 160);
    }
}
