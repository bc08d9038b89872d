using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace KvActors.Store.Security;

/// <summary>
/// The cluster certificate: one self-signed certificate that every node and every `kv` client
/// presents. Akka.Remote runs TLS with mutual authentication, and a peer is accepted only when
/// it presents this very certificate (pinned by its SHA-256 thumbprint): nothing else, not even
/// a certificate from a trusted CA, gets a handshake.
/// </summary>
public sealed class ClusterCertificate
{
    private ClusterCertificate(X509Certificate2 certificate, string source)
    {
        Certificate = certificate;
        Source = source;
        Thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Where it was loaded from, for messages.</summary>
    public string Source { get; }

    /// <summary>SHA-256 thumbprint, hex.</summary>
    public string Thumbprint { get; }

    /// <summary>
    /// Loads a PKCS#12 file with its private key; the password, if any, is read from the
    /// environment variable <paramref name="passwordVariable"/>. Throws a one-sentence
    /// <see cref="CertificateException"/>.
    /// </summary>
    public static ClusterCertificate Load(string path, string passwordVariable)
    {
        if (!File.Exists(path)) throw new CertificateException($"The certificate file '{path}' does not exist.");
        var password = Environment.GetEnvironmentVariable(passwordVariable);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            var hint = string.IsNullOrEmpty(password) ? $" (if it has a password, set {passwordVariable})" : $" (or the password in {passwordVariable} is wrong)";
            throw new CertificateException($"The certificate file '{path}' is not a PKCS#12 file kvactors can read{hint}: {e.Message.TrimEnd('.')}.", e);
        }
        if (!certificate.HasPrivateKey) throw new CertificateException($"The certificate file '{path}' holds no private key; create one with `kv cert create`.");
        if (certificate.NotAfter < DateTime.Now) throw new CertificateException($"The certificate in '{path}' expired on {certificate.NotAfter:yyyy-MM-dd}; create a new one with `kv cert create`.");
        return new ClusterCertificate(certificate, path);
    }

    /// <summary>A new self-signed cluster certificate (ECDSA P-256) as PKCS#12 bytes.</summary>
    public static byte[] Create(string subjectName, TimeSpan validFor, string? password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        // Both ends of a TLS connection between nodes present it: server and client authentication.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validFor));
        return certificate.Export(X509ContentType.Pkcs12, password);
    }

    /// <summary>
    /// Accepts exactly this certificate. Chain errors are expected (it is self-signed) and the
    /// host name is not checked (nodes are addressed by IP); the pin is what authenticates.
    /// </summary>
    public bool IsPinned(X509Certificate? presented) =>
        presented is not null && string.Equals(presented.GetCertHashString(HashAlgorithmName.SHA256), Thumbprint, StringComparison.OrdinalIgnoreCase);

    /// <summary>Akka.Remote's validation callback for this pin; refusals are logged at WARN with the peer.</summary>
    public CertificateValidationCallback Validator => (presented, _, remotePeer, errors, log) =>
    {
        if (IsPinned(presented)) return true;
        var what = presented is null ? "no certificate" : $"certificate {presented.Subject} ({presented.GetCertHashString(HashAlgorithmName.SHA256)[..16]}...)";
        log?.Warning("Refused TLS peer {0}: it presented {1}, not the cluster certificate ({2}).", remotePeer, what, errors == SslPolicyErrors.None ? "chain ok" : errors.ToString());
        return false;
    };

    /// <summary>The ActorSystem setup that turns on mutual TLS with this pin (for systems created without Akka.Hosting).</summary>
    public DotNettySslSetup SslSetup() =>
        new(Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false, Validator);

    /// <summary>The HOCON that goes with <see cref="SslSetup"/>.</summary>
    public const string EnableSslHocon = "akka.remote.dot-netty.tcp.enable-ssl = on";
}
