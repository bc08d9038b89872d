using KvActors.Hocon;

namespace KvActors.Persistence.Tests;

public class PersistenceSettingsTests
{
    [Fact]
    public void Defaults_match_the_issue_and_reference_conf()
    {
        var s = PersistenceSettings.FromConfig(Config.Empty);
        s.Should().Be(new PersistenceSettings());
        (s.Fsync, s.SegmentSize, s.MaxKeySize, s.MaxValueSize, s.Repair).Should().Be((FsyncPolicy.EverySec, 64L << 20, 64 << 10, 512 << 20, false));

        var reference = File.ReadAllText(Path.Combine(RepoRoot(), "hocon", "reference.conf"));
        foreach (var line in new[] { "fsync = everysec", "segment-size = 64MiB", "max-key-size = 64KiB", "max-value-size = 512MiB", "repair = off", "data-dir = \"data\"" })
            reference.Should().Contain(line);
    }

    [Theory]
    [InlineData("always", FsyncPolicy.Always)]
    [InlineData("EverySec", FsyncPolicy.EverySec)]
    [InlineData("never", FsyncPolicy.Never)]
    public void Parses_fsync_policies(string text, FsyncPolicy expected) => PersistenceSettings.ParseFsync(text).Should().Be(expected);

    [Fact]
    public void Rejects_an_unknown_fsync_policy_with_a_clear_error() =>
        FluentActions.Invoking(() => PersistenceSettings.ParseFsync("sometimes")).Should().Throw<ArgumentException>().WithMessage("*always, everysec or never*");

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KvActors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
