using KvActors.Store.Wire.Admin;
using Spectre.Console;

namespace KvActors.Cli.Output;

/// <summary>`kv cluster show` for people: one row per member, oldest first, like `pbm cluster show`.</summary>
public static class ClusterTable
{
    public static void Write(IAnsiConsole console, ClusterShowResponse show)
    {
        // Redirected output has no terminal width; Spectre would assume 80 columns and wrap cells.
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 160);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Address").AddColumn("Status").AddColumn("Reachable")
            .AddColumn(new TableColumn("Age (upNumber)").RightAligned()).AddColumn("Roles").AddColumn("Leader");
        // Oldest first: the order in which Up was reached is what singleton placement follows.
        foreach (var m in show.Members.OrderBy(m => m.UpNumber == 0 ? int.MaxValue : m.UpNumber).ThenBy(m => m.Address, StringComparer.Ordinal))
        {
            table.AddRow(
                Markup.Escape(m.Address) + (m.Address == show.Self ? " (self)" : ""),
                Markup.Escape(m.Status),
                m.Reachable ? "yes" : "[red]NO[/]",
                m.UpNumber == 0 ? "-" : m.UpNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.Roles.Count == 0 ? "-" : Markup.Escape(string.Join(", ", m.Roles)),
                m.Address == show.Leader ? "*" : "");
        }
        console.Write(table);
        // Plain text: Spectre would wrap a long line at its assumed width when output is redirected.
        Console.WriteLine($"Seen by {show.Self}; leader: {Or(show.Leader)}; singleton host: {Or(show.SingletonHost)}; members: {show.Members.Count}.");
    }

    private static string Or(string s) => s.Length == 0 ? "none" : s;
}
