using System.Text;
using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Shards;

/// <summary>The scan order of a partition's keys: pages cover every key, and survive changes between pages.</summary>
public sealed class KeyScanTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static List<byte[]> Keys(int n, string prefix = "key-") => Enumerable.Range(0, n).Select(i => K($"{prefix}{i}")).ToList();

    private static List<string> ScanAll(Func<IEnumerable<byte[]>> keys, int count, long maxBytes = long.MaxValue, Action<int>? between = null)
    {
        var seen = new List<string>();
        ulong after = 0;
        var pages = 0;
        do
        {
            var page = KeyScan.Page(keys(), after, count, maxBytes);
            seen.AddRange(page.Keys.Select(k => Encoding.UTF8.GetString(k)));
            after = page.Next;
            between?.Invoke(++pages);
            pages.Should().BeLessThan(100_000, "a scan ends");
        }
        while (after != 0);
        return seen;
    }

    [Fact]
    public void Positions_are_stable_and_within_48_bits()
    {
        KeyScan.PositionOf(K("a")).Should().Be(KeyScan.PositionOf(K("a")));
        KeyScan.PositionOf(K("a")).Should().NotBe(KeyScan.PositionOf(K("b")));
        foreach (var key in Keys(1000))
            KeyScan.PositionOf(key).Should().BeInRange(1UL, 1UL << 47);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(300)]
    [InlineData(5000)]
    public void Pages_return_every_key_exactly_once_in_position_order(int count)
    {
        var keys = Keys(300);
        var seen = ScanAll(() => keys, count);
        seen.Order(StringComparer.Ordinal).Should().Equal(keys.Select(k => Encoding.UTF8.GetString(k)).Order(StringComparer.Ordinal));
        var positions = seen.Select(s => KeyScan.PositionOf(K(s))).ToList();
        positions.Should().Equal(positions.Order());
    }

    [Fact]
    public void An_empty_partition_is_one_empty_last_page()
    {
        KeyScan.Page([], 0, 10, long.MaxValue).Should().BeEquivalentTo(new KeyScanPage([], 0));
        var keys = Keys(3);
        var last = keys.Max(k => KeyScan.PositionOf(k));
        KeyScan.Page(keys, last, 10, long.MaxValue).Should().BeEquivalentTo(new KeyScanPage([], 0));
    }

    [Fact]
    public void A_full_page_that_takes_the_last_keys_ends_the_scan()
    {
        var keys = Keys(10);
        KeyScan.Page(keys, 0, 10, long.MaxValue).Next.Should().Be(0);
        KeyScan.Page(keys, 0, 9, long.MaxValue).Next.Should().NotBe(0);
    }

    [Fact]
    public void Keys_of_one_position_are_never_split_across_pages()
    {
        // The same key twice has one position: a page of one takes both (a stand-in for a 47-bit hash collision).
        var twin = K("twin");
        var keys = Keys(20).Append(twin).Append(twin).ToList();
        var seen = ScanAll(() => keys, 1);
        seen.Count(k => k == "twin").Should().Be(2, "both keys of the position come in one page");
        seen.Should().HaveCount(22);
    }

    [Fact]
    public void A_page_is_cut_by_bytes_but_always_makes_progress()
    {
        var keys = Enumerable.Range(0, 50).Select(i => K(new string('x', 100) + i)).ToList();
        var page = KeyScan.Page(keys, 0, 50, maxBytes: 1000);
        page.Keys.Count.Should().BeInRange(9, 10, "about 1000 bytes of ~103-byte keys");
        page.Next.Should().NotBe(0);
        KeyScan.Page(keys, 0, 50, maxBytes: 1).Keys.Should().HaveCount(1, "one key even over the budget");
        ScanAll(() => keys, 50, maxBytes: 1000).Should().HaveCount(50);
    }

    /// <summary>Redis's guarantee: a key present for the whole scan is returned, whatever is added or deleted between pages.</summary>
    [Fact]
    public void Keys_present_for_the_whole_scan_are_returned_despite_writes_and_deletes_between_pages()
    {
        var stable = Keys(300, "stable-");
        var churn = new HashSet<string>(Keys(300, "churn-").Select(k => Encoding.UTF8.GetString(k)));
        var random = new Random(42);
        var seen = ScanAll(
            () => stable.Concat(churn.Select(K)).ToList(),
            count: 10,
            between: page =>
            {
                for (var i = 0; i < 5; i++)
                {
                    churn.Remove(churn.ElementAt(random.Next(churn.Count)));
                    churn.Add($"new-{page}-{i}");
                }
            });
        stable.Select(k => Encoding.UTF8.GetString(k)).Except(seen).Should().BeEmpty();
        seen.Distinct().Count().Should().Be(seen.Count, "a key that stays has one position, visited once");
    }

    [Fact]
    public void A_count_below_one_is_refused()
    {
        ((Action)(() => KeyScan.Page([], 0, 0, 1))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
