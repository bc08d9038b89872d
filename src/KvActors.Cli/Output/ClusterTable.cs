using KvActors.Store.Wire.Admin;
using Spectre.Console;

namespace KvActors.Cli.Output;

/// <summary>
/// `kv cluster show` for people: one row per member, oldest first, like `pbm cluster show`, then a row per member
/// removed lately; under the table, one line naming the members that need attention (<see cref="MemberSummary"/>).
/// </summary>
public static class ClusterTable
{
    /// <param name="stats">Each member's store statistics; a member missing from it shows "-".</param>
    /// <param name="lines">Where the plain lines under the table go (standard output when null).</param>
    public static void Write(IAnsiConsole console, ClusterShowResponse show, IReadOnlyDictionary<string, StoreStatsReply> stats, TextWriter? lines = null)
    {
        lines ??= Console.Out;
        Tables.FitRedirected(console);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Address").AddColumn("Status").AddColumn("Reachable")
            .AddColumn(new TableColumn("Age (upNumber)").RightAligned()).AddColumn("Roles").AddColumn("Leader")
            .AddColumn(new TableColumn("Partitions P/R/L").RightAligned()).AddColumn(new TableColumn("Keys").RightAligned())
            .AddColumn(new TableColumn("Bytes").RightAligned()).AddColumn(new TableColumn("Lag").RightAligned());
        // Oldest first: the order in which Up was reached is what singleton placement follows.
        foreach (var m in show.Members.OrderBy(m => m.UpNumber == 0 ? int.MaxValue : m.UpNumber).ThenBy(m => m.Address, StringComparer.Ordinal))
        {
            table.AddRow(
                Markup.Escape(m.Address) + (m.Address == show.Self ? " (self)" : ""),
                m.Status == "Up" ? "Up" : $"[yellow]{Markup.Escape(m.Status)}[/]",
                m.Reachable ? "yes" : $"[red]{Markup.Escape(MemberSummary.Reachability(m))}[/]",
                m.UpNumber == 0 ? "-" : m.UpNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.Roles.Count == 0 ? "-" : Markup.Escape(string.Join(", ", m.Roles)),
                m.Address == show.Leader ? "*" : "",
                stats.TryGetValue(m.Address, out var st) ? Partitions(st) : "-",
                st is null ? "-" : Units.Number(st.Keys),
                st is null ? "-" : Units.Bytes(st.Bytes),
                st is null ? "-" : Units.Number(st.ReplicationLag));
        }
        // Gone from Akka's state, still worth a row: an operator asks where the node went.
        foreach (var r in show.Removed)
            table.AddRow(Markup.Escape(r.Address), $"[red]{Markup.Escape(MemberSummary.RemovedStatus(r))}[/]", "-", "-", "-", "", "-", "-", "-", "-");
        console.Write(table);
        // Plain text: Spectre would wrap a long line at its assumed width when output is redirected.
        if (MemberSummary.Line(show) is { } attention) lines.WriteLine(attention);
        lines.WriteLine($"Seen by {show.Self}; leader: {Or(show.Leader)}; singleton host: {Or(show.SingletonHost)}; members: {show.Members.Count}.");
    }

    /// <summary>primaries/replicas/learners, and how many partitions did not report in time.</summary>
    public static string Partitions(StoreStatsReply s) =>
        $"{s.Primaries}/{s.Replicas}/{s.Learners}" + (s.Unanswered > 0 ? $" ({s.Unanswered} busy)" : "");

    private static string Or(string s) => s.Length == 0 ? "none" : s;
}
