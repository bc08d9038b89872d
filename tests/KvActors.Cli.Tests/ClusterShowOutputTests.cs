using System.Text.Json;
using KvActors.Cli.Output;
using KvActors.Store.Wire.Admin;
using Spectre.Console;

namespace KvActors.Cli.Tests;

/// <summary>`kv cluster show` after a crash, from a fabricated view: who is unreachable, for how long, and who was removed.</summary>
public sealed class ClusterShowOutputTests
{
    private const string A = "127.0.0.1:4053", B = "127.0.0.1:4054", C = "127.0.0.1:4055", D = "127.0.0.1:4056";

    private static ClusterShowResponse Healthy()
    {
        var show = new ClusterShowResponse { Self = A, Leader = A, SingletonHost = A };
        show.Members.Add(new MemberInfo { Address = A, Status = "Up", Reachable = true, UpNumber = 1 });
        show.Members.Add(new MemberInfo { Address = B, Status = "Up", Reachable = true, UpNumber = 2 });
        return show;
    }

    /// <summary>C crashed 12.4 s ago and is unreachable, D was downed and removed 95 s ago, B is leaving.</summary>
    private static ClusterShowResponse AfterACrash()
    {
        var show = Healthy();
        show.Members[1].Status = "Leaving";
        show.Members.Add(new MemberInfo { Address = C, Status = "Up", Reachable = false, UpNumber = 3, UnreachableForMs = 12_400 });
        show.Removed.Add(new RemovedMemberInfo { Address = D, PreviousStatus = "Down", RemovedAgoMs = 95_000 });
        return show;
    }

    private static (string Table, string[] Lines) Render(ClusterShowResponse show)
    {
        var table = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(table),
        });
        console.Profile.Width = 200;
        var lines = new StringWriter();
        ClusterTable.Write(console, show, new Dictionary<string, StoreStatsReply>(), lines);
        return (table.ToString(), lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_healthy_cluster_gets_no_attention_line()
    {
        MemberSummary.Line(Healthy()).Should().BeNull();

        var (_, lines) = Render(Healthy());

        lines.Should().Equal($"Seen by {A}; leader: {A}; singleton host: {A}; members: 2.");
    }

    [Fact]
    public void The_summary_names_the_unreachable_leaving_and_removed_members_with_how_long()
    {
        MemberSummary.Line(AfterACrash()).Should().Be(
            $"1 member unreachable: {C} (for 12 s); 1 member leaving: {B} (Leaving); 1 member removed recently: {D} (was Down, 1 min 35 s ago).");
    }

    [Fact]
    public void An_unreachable_member_that_is_not_up_and_one_without_a_known_start_are_named_too()
    {
        var show = Healthy();
        show.Members.Add(new MemberInfo { Address = C, Status = "Down", Reachable = false, UpNumber = 3, UnreachableForMs = 800 });
        show.Members.Add(new MemberInfo { Address = D, Status = "Up", Reachable = false, UpNumber = 4 });

        MemberSummary.Line(show).Should().Be($"2 members unreachable: {C} (Down, for 800 ms), {D}.");
    }

    [Fact]
    public void The_table_shows_how_long_a_member_is_unreachable_and_a_row_per_removed_member()
    {
        var (table, lines) = Render(AfterACrash());

        var rows = table.Split('\n');
        rows.Should().Contain(r => r.Contains($"{A} (self)") && r.Contains("Up") && r.Contains("yes"));
        rows.Should().Contain(r => r.Contains(B) && r.Contains("Leaving") && r.Contains("yes"));
        rows.Should().Contain(r => r.Contains(C) && r.Contains("NO (12 s)"));
        rows.Should().Contain(r => r.Contains(D) && r.Contains("Removed 1 min 35 s ago"));
        lines.Should().Equal(
            MemberSummary.Line(AfterACrash()),
            $"Seen by {A}; leader: {A}; singleton host: {A}; members: 3.");
    }

    [Fact]
    public void The_json_gives_unreachable_for_and_the_removed_members()
    {
        using var json = JsonDocument.Parse(ClusterJson.Show(AfterACrash(), new Dictionary<string, StoreStatsReply>()));

        var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
        members.Select(m => m.GetProperty("unreachableForMs").ValueKind).Should().Equal(JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Number);
        members[2].GetProperty("unreachableForMs").GetInt64().Should().Be(12_400);
        json.RootElement.GetProperty("removed").GetRawText().Should().Be(
            $$"""[{"address": "{{D}}", "previousStatus": "Down", "removedAgoMs": 95000}]""");
    }

    [Theory]
    [InlineData(0, "0 ms")]
    [InlineData(999, "999 ms")]
    [InlineData(12_400, "12 s")]
    [InlineData(60_000, "1 min")]
    [InlineData(95_000, "1 min 35 s")]
    [InlineData(7_800_000, "2 h 10 min")]
    public void Elapsed_times_are_coarse(long ms, string text) => Units.Elapsed(ms).Should().Be(text);
}
