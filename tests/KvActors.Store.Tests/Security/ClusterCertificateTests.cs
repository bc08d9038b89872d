using System.Security.Cryptography.X509Certificates;
using KvActors.Store.Security;
using KvActors.Store.Tests.Configuration;

namespace KvActors.Store.Tests.Security;

/// <summary>The cluster certificate: created, loaded, and pinned (only this very certificate is accepted).</summary>
public sealed class ClusterCertificateTests : IDisposable
{
    private readonly ConfigFolder _folder = new();

    /// <summary>A variable of this test's own: the process environment is shared by every test.</summary>
    private readonly string _passwordVariable = $"KVACTORS_TEST_PASSWORD_{Guid.NewGuid():N}";

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        _folder.Dispose();
    }

    private string Write(string name, string? password = null)
    {
        var path = Path.Combine(_folder.Path, name);
        File.WriteAllBytes(path, ClusterCertificate.Create("kvactors-test", TimeSpan.FromDays(30), password));
        return path;
    }

    private static void AssertOneSentence(CertificateException e) => Readers.AssertOneSentence(e.Message);

    [Fact]
    public void A_created_certificate_loads_with_its_private_key_and_a_stable_thumbprint()
    {
        var path = Write("a.pfx");

        var first = ClusterCertificate.Load(path, _passwordVariable);
        var second = ClusterCertificate.Load(path, _passwordVariable);

        first.Certificate.HasPrivateKey.Should().BeTrue();
        first.Certificate.Subject.Should().Be("CN=kvactors-test");
        first.Thumbprint.Should().MatchRegex("^[0-9A-F]{64}$").And.Be(second.Thumbprint);
        first.Source.Should().Be(path);
        first.Certificate.NotAfter.Should().BeAfter(DateTime.Now.AddDays(29));
    }

    [Fact]
    public void A_password_protected_certificate_loads_with_the_password_from_the_named_variable()
    {
        var path = Write("secret.pfx", password: "s3cret");
        Environment.SetEnvironmentVariable(_passwordVariable, "s3cret");

        ClusterCertificate.Load(path, _passwordVariable).Certificate.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public void A_missing_password_is_one_sentence_that_names_the_variable()
    {
        var path = Write("secret.pfx", password: "s3cret");

        var e = FluentActions.Invoking(() => ClusterCertificate.Load(path, _passwordVariable)).Should().Throw<CertificateException>().Which;

        AssertOneSentence(e);
        e.Message.Should().StartWith($"The certificate file '{path}' is not a PKCS#12 file kvactors can read (if it has a password, set {_passwordVariable})");
    }

    [Fact]
    public void A_wrong_password_is_one_sentence_that_says_the_password_may_be_wrong()
    {
        var path = Write("secret.pfx", password: "s3cret");
        Environment.SetEnvironmentVariable(_passwordVariable, "wrong");

        var e = FluentActions.Invoking(() => ClusterCertificate.Load(path, _passwordVariable)).Should().Throw<CertificateException>().Which;

        AssertOneSentence(e);
        e.Message.Should().Contain($"(or the password in {_passwordVariable} is wrong)");
    }

    [Theory]
    [InlineData("not a certificate\n")]
    [InlineData("")]
    public void A_file_that_is_not_PKCS12_is_one_sentence(string content)
    {
        var path = Path.Combine(_folder.Path, "other.pfx");
        File.WriteAllText(path, content);

        var e = FluentActions.Invoking(() => ClusterCertificate.Load(path, _passwordVariable)).Should().Throw<CertificateException>().Which;

        AssertOneSentence(e);
        e.Message.Should().StartWith($"The certificate file '{path}' is not a PKCS#12 file kvactors can read");
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_refused()
    {
        var path = Write("a.pfx");
        var publicOnly = Path.Combine(_folder.Path, "public.pfx");
        using (var full = X509CertificateLoader.LoadPkcs12FromFile(path, null))
        using (var withoutKey = X509CertificateLoader.LoadCertificate(full.Export(X509ContentType.Cert)))
            File.WriteAllBytes(publicOnly, withoutKey.Export(X509ContentType.Pkcs12));

        var e = FluentActions.Invoking(() => ClusterCertificate.Load(publicOnly, _passwordVariable)).Should().Throw<CertificateException>().Which;

        AssertOneSentence(e);
        e.Message.Should().Be($"The certificate file '{publicOnly}' holds no private key; create one with `kv cert create`.");
    }

    [Fact]
    public void A_missing_file_is_one_sentence()
    {
        var path = Path.Combine(_folder.Path, "missing.pfx");

        var e = FluentActions.Invoking(() => ClusterCertificate.Load(path, _passwordVariable)).Should().Throw<CertificateException>().Which;

        e.Message.Should().Be($"The certificate file '{path}' does not exist.");
    }

    [Fact]
    public void The_pin_accepts_the_same_certificate_and_refuses_any_other()
    {
        var a = ClusterCertificate.Load(Write("a.pfx"), _passwordVariable);
        var sameAsA = ClusterCertificate.Load(a.Source, _passwordVariable);
        var b = ClusterCertificate.Load(Write("b.pfx"), _passwordVariable);
        using var aWithoutKey = X509CertificateLoader.LoadCertificate(a.Certificate.Export(X509ContentType.Cert));

        a.IsPinned(sameAsA.Certificate).Should().BeTrue();
        a.IsPinned(aWithoutKey).Should().BeTrue("a peer presents the public part only");
        a.IsPinned(b.Certificate).Should().BeFalse("same subject, other key: not the cluster certificate");
        a.IsPinned(null).Should().BeFalse("no certificate is no peer");
        b.IsPinned(a.Certificate).Should().BeFalse();
    }

    [Fact]
    public void The_TLS_validator_follows_the_pin_whatever_the_chain_says()
    {
        var a = ClusterCertificate.Load(Write("a.pfx"), _passwordVariable);
        var b = ClusterCertificate.Load(Write("b.pfx"), _passwordVariable);

        // Self-signed: chain errors are expected and do not matter; the pin decides.
        a.Validator(a.Certificate, null!, "peer", System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, null!).Should().BeTrue();
        a.Validator(b.Certificate, null!, "peer", System.Net.Security.SslPolicyErrors.None, null!).Should().BeFalse();
        a.Validator(null!, null!, "peer", System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable, null!).Should().BeFalse();
    }

    [Fact]
    public void The_SSL_setup_requires_mutual_authentication_with_this_certificate()
    {
        var a = ClusterCertificate.Load(Write("a.pfx"), _passwordVariable);

        var setup = a.SslSetup();

        setup.Certificate.Should().BeSameAs(a.Certificate);
        setup.RequireMutualAuthentication.Should().BeTrue();
        setup.SuppressValidation.Should().BeFalse();
    }
}

/// <summary>Nothing listens beyond loopback without a cluster certificate.</summary>
public sealed class BindPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.10.20.30")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void Loopback_needs_no_certificate(string host)
    {
        BindPolicy.IsLoopback(host).Should().BeTrue();
        BindPolicy.Refusal(host, hasCertificate: false).Should().BeNull();
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("192.0.2.10")]
    [InlineData("::")]
    [InlineData("kv1.example.com")]
    public void Anything_else_needs_a_certificate(string host)
    {
        BindPolicy.IsLoopback(host).Should().BeFalse();
        BindPolicy.Refusal(host, hasCertificate: true).Should().BeNull();

        var refusal = BindPolicy.Refusal(host, hasCertificate: false);

        refusal.Should().Be($"Binding {host}, a non-loopback address, requires a cluster certificate: create one with `kv cert create --out cluster.pfx` and start every node with --cert cluster.pfx.");
        Readers.AssertOneSentence(refusal!);
    }
}
