namespace KvActors.Storage.Tests;

public class StorageSettingsTests
{
    [Fact]
    public void Defaults_match_reference_conf()
    {
        var s = new StorageSettings();
        (s.DataDir, s.Fsync, s.SegmentSize, s.MaxKeySize, s.MaxValueSize, s.Repair)
            .Should().Be(("data", FsyncPolicy.EverySec, 64L << 20, 64 << 10, 1 << 20, false));
        s.Validated().Should().BeSameAs(s);

        var reference = File.ReadAllText(Path.Combine(RepoRoot(), "hocon", "reference.conf"));
        foreach (var line in new[] { "fsync = everysec", "segment-size = 64MiB", "max-key-size = 64KiB", "max-value-size = 1MiB", "repair = off", "data-dir = \"data\"" })
            reference.Should().Contain(line);
    }

    [Fact]
    public void Derives_the_log_and_snapshot_directories_from_the_data_dir()
    {
        var s = new StorageSettings { DataDir = Path.Combine("var", "node1") };
        s.WalDirectory.Should().Be(Path.Combine("var", "node1", "wal"));
        s.SnapshotDirectory.Should().Be(Path.Combine("var", "node1", "snapshots"));
    }

    [Fact]
    public void Is_an_immutable_value()
    {
        var a = new StorageSettings { DataDir = "d", Fsync = FsyncPolicy.Always, Repair = true };
        var b = a with { };
        b.Should().Be(a);
        (a with { SegmentSize = 1 << 20 }).Should().NotBe(a);
        a.SegmentSize.Should().Be(64L << 20);
    }

    [Theory]
    [InlineData("always", FsyncPolicy.Always)]
    [InlineData("EverySec", FsyncPolicy.EverySec)]
    [InlineData(" never ", FsyncPolicy.Never)]
    public void Parses_fsync_policies(string text, FsyncPolicy expected) => StorageSettings.ParseFsync(text).Should().Be(expected);

    [Fact]
    public void Rejects_an_unknown_fsync_policy_with_a_clear_error() =>
        FluentActions.Invoking(() => StorageSettings.ParseFsync("sometimes")).Should().Throw<ArgumentException>()
            .WithMessage("kvactors.storage.fsync must be always, everysec or never, not 'sometimes'.");

    public static TheoryData<StorageSettings, string> Invalid => new()
    {
        { new StorageSettings { DataDir = "" }, "kvactors.node.data-dir must not be empty." },
        { new StorageSettings { DataDir = "  " }, "kvactors.node.data-dir must not be empty." },
        { new StorageSettings { Fsync = (FsyncPolicy)7 }, "kvactors.storage.fsync must be always, everysec or never, not 7." },
        { new StorageSettings { SegmentSize = 100 }, "kvactors.storage.segment-size must be at least 4 KiB, not 100 bytes." },
        { new StorageSettings { MaxKeySize = 0 }, "kvactors.storage.max-key-size must be positive, not 0 bytes." },
        { new StorageSettings { MaxValueSize = -1 }, "kvactors.storage.max-value-size must be between 0 and 1 GiB, not -1 bytes." },
        { new StorageSettings { MaxValueSize = (1 << 30) + 1 }, "kvactors.storage.max-value-size must be between 0 and 1 GiB, not 1073741825 bytes." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validated_refuses_bad_values_in_one_sentence_naming_the_key(StorageSettings settings, string message) =>
        FluentActions.Invoking(settings.Validated).Should().Throw<ArgumentException>().Which.Message.Should().Be(message);

    [Fact]
    public void Validated_accepts_the_limits()
    {
        var s = new StorageSettings { SegmentSize = 4096, MaxKeySize = 1, MaxValueSize = 0 };
        s.Validated().Should().BeSameAs(s);
        (s with { MaxValueSize = 1 << 30 }).Validated().MaxValueSize.Should().Be(1 << 30);
    }

    [Fact]
    public void The_engine_refuses_invalid_settings_at_open()
    {
        using var dir = new TempDir();
        var open = () => Engine.FileStorageEngine.Open(new StorageSettings { DataDir = dir.Path, SegmentSize = 100 });
        open.Should().Throw<ArgumentException>().WithMessage("kvactors.storage.segment-size*");
    }

    /// <summary>The directory above the test binaries that holds hocon/reference.conf.</summary>
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "hocon", "reference.conf"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find hocon/reference.conf above " + AppContext.BaseDirectory);
    }
}
