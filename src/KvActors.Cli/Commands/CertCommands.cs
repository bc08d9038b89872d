using System.CommandLine;
using KvActors.Store.Security;

namespace KvActors.Cli.Commands;

/// <summary>`kv cert create --out FILE`: the cluster certificate every node and client presents.</summary>
public static class CertCommands
{
    public const string PasswordVariable = "KVACTORS_CERT_PASSWORD";

    public static Command Create()
    {
        var cert = new Command("cert", "Manage the cluster certificate (mutual TLS between nodes and clients).");
        var output = new Option<string>("--out") { Description = "The PKCS#12 file to write.", Required = true };
        var subject = new Option<string>("--subject") { Description = "The certificate's common name.", DefaultValueFactory = _ => "kvactors-cluster" };
        var days = new Option<int>("--days") { Description = "Days of validity.", DefaultValueFactory = _ => 825 };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var create = new Command("create", $"Write a new self-signed cluster certificate with its private key (password from {PasswordVariable}, if set).")
        {
            output, subject, days, force,
        };
        create.SetAction(parsed =>
        {
            var path = parsed.GetValue(output)!;
            var validDays = parsed.GetValue(days);
            if (validDays is < 1 or > 3650) return CliError.Report($"--days must be 1..3650, not {validDays}");
            if (File.Exists(path) && !parsed.GetValue(force)) return CliError.Report($"'{path}' exists already: pass --force to overwrite it (every node must then get the new file)");
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            var pfx = ClusterCertificate.Create(parsed.GetValue(subject)!, TimeSpan.FromDays(validDays), string.IsNullOrEmpty(password) ? null : password);
            try
            {
                WritePrivate(path, pfx);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return CliError.Report($"Could not write '{path}': {e.Message}");
            }
            var loaded = ClusterCertificate.Load(path, PasswordVariable);
            Console.WriteLine($"Wrote {path} (SHA-256 {loaded.Thumbprint}, valid until {loaded.Certificate.NotAfter:yyyy-MM-dd}). Start every node with --cert {path} and pass --cert {path} to kv.");
            return ExitCodes.Success;
        });
        cert.Subcommands.Add(create);
        return cert;
    }

    /// <summary>The file holds a private key: readable by its owner only.</summary>
    private static void WritePrivate(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
