using KvActors.Storage.Recovery;

namespace KvActors.Storage.Tests;

public class LaterTruncationsTests
{
    [Fact]
    public void A_record_is_void_when_any_later_truncation_cut_below_its_seq()
    {
        var t = new LaterTruncations([(100, 5), (200, 8), (300, 3)]);
        t.Voids(50, 3).Should().BeFalse();
        t.Voids(50, 4).Should().BeTrue("the truncation at 300 cut after seq 3");
        t.Voids(150, 3).Should().BeFalse();
        t.Voids(250, 4).Should().BeTrue();
        t.Voids(350, 9).Should().BeFalse("no truncation follows it");

        var two = new LaterTruncations([(100, 5), (200, 8)]);
        two.Voids(50, 6).Should().BeTrue();
        two.Voids(150, 8).Should().BeFalse();
        two.Voids(150, 9).Should().BeTrue();
        new LaterTruncations([]).Voids(0, long.MaxValue).Should().BeFalse();
    }
}
