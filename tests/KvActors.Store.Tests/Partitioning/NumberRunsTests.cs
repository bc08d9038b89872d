using KvActors.Store.Partitioning;

namespace KvActors.Store.Tests.Partitioning;

public sealed class NumberRunsTests
{
    [Fact]
    public void Numbers_are_written_as_runs_in_order_each_once()
    {
        NumberRuns.Of([9, 0, 1, 2, 3, 7, 10, 11, 3]).Should().Be("0-3, 7, 9-11");
        NumberRuns.Of([5]).Should().Be("5");
        NumberRuns.Of([]).Should().BeEmpty();
    }
}
