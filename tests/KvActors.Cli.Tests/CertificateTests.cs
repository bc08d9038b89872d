using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>`kv cert create`, and kvnode/kv with a cluster certificate (mutual TLS); nothing non-loopback without one.</summary>
public sealed class CertificateTests
{
    private static RunResult CreateCertificate(string path, IReadOnlyDictionary<string, string?>? environment = null) =>
        Executables.Run(Executables.KvDll, ["cert", "create", "--out", path], environment: environment);

    [Fact]
    public void Cert_create_writes_a_private_file_and_refuses_to_overwrite_it()
    {
        using var file = TempFile.Named(".pfx");

        var run = CreateCertificate(file.Path);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex($@"^Wrote {System.Text.RegularExpressions.Regex.Escape(file.Path)} \(SHA-256 [0-9A-F]{{64}}, valid until \d{{4}}-\d\d-\d\d\)\.");
        File.Exists(file.Path).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(file.Path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "it holds a private key");

        var again = CreateCertificate(file.Path);

        again.ExitCode.Should().Be(2, again.ToString());
        again.OneSentenceError().Should().Contain("exists already").And.Contain("--force");
    }

    [Fact]
    public void A_node_started_with_the_certificate_runs_TLS_and_answers_kv_with_it_only()
    {
        using var file = TempFile.Named(".pfx");
        CreateCertificate(file.Path).ExitCode.Should().Be(0);
        using var node = NodeProcess.Start(new NodeOptions { Name = "tls", Certificate = file.Path });
        node.Process.HasLine(l => l.Contains("is up at akka.ssl.tcp://") && l.Contains("TLS: mutual, pinned")).Should().BeTrue(node.Process.Tail());

        var view = Executables.ShowCluster(node.Address, certificate: file.Path);
        view.IsUpWith(node.Address).Should().BeTrue(view.ToString());

        var without = Executables.Kv("cluster", "show", "--seeds", node.Address, "--timeout", "1s");
        without.ExitCode.Should().Be(2, without.ToString());
        without.OneSentenceError().Should().Contain("pass --cert");
    }

    [Fact]
    public void A_certificate_with_a_password_needs_the_password_variable()
    {
        using var file = TempFile.Named(".pfx");
        var password = new Dictionary<string, string?> { ["KVACTORS_CERT_PASSWORD"] = "s3cret" };
        CreateCertificate(file.Path, password).ExitCode.Should().Be(0);

        var run = Executables.RunNode("--cert", file.Path, "--port", "0", "--data-dir", Path.Combine(Path.GetTempPath(), "kvactors-tests", "unused"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith($"kvnode: command-line flags: kvactors.tls.certificate: The certificate file '{file.Path}' is not a PKCS#12 file kvactors can read (if it has a password, set KVACTORS_CERT_PASSWORD)");
    }

    [Fact]
    public void A_file_that_is_not_a_certificate_is_one_sentence()
    {
        using var file = TempFile.WithText("not a certificate\n", ".pfx");

        var run = Executables.RunNode("--cert", file.Path);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith($"kvnode: command-line flags: kvactors.tls.certificate: The certificate file '{file.Path}' is not a PKCS#12 file");
    }

    [Fact]
    public void Binding_a_non_loopback_host_without_a_certificate_is_refused_in_one_sentence()
    {
        // 192.0.2.0/24 is TEST-NET-1: never a local address, and the refusal comes before any bind.
        var run = Executables.RunNode("--host", "192.0.2.10", "--port", "0");

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("kvnode: Binding 192.0.2.10, a non-loopback address, requires a cluster certificate: " +
            "create one with `kv cert create --out cluster.pfx` and start every node with --cert cluster.pfx.");
    }
}
