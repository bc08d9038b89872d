using System.Collections;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using KvActors.Client;
using KvActors.Node.Startup;
using KvActors.Store.Configuration;
using KvActors.Store.Security;
using KvActors.Store.Tests.Wire;

namespace KvActors.Store.Tests.Configuration;

/// <summary>A temporary folder of config files, and the readers every executable runs over a loaded configuration.</summary>
public sealed class ConfigFolder : IDisposable
{
    public ConfigFolder() => Path = Directory.CreateTempSubdirectory("kvactors-config-").FullName;

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/> under the folder; returns the full path.</summary>
    public string Write(string relative, string text)
    {
        var file = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>A fresh cluster certificate file (no password).</summary>
    public string Certificate(string name = "cluster.pfx")
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, ClusterCertificate.Create("kvactors-test", TimeSpan.FromDays(1), null));
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public static class Readers
{
    /// <summary>An environment with only these variables (never the test process's own).</summary>
    public static Hashtable Env(params (string Name, string Value)[] variables)
    {
        var env = new Hashtable();
        foreach (var (name, value) in variables) env[name] = value;
        return env;
    }

    /// <summary>Loads like kvnode does, with an environment of only <paramref name="environment"/>.</summary>
    public static LayeredConfig Load(string? file = null, string[]? settings = null, string? flags = null, Hashtable? environment = null) =>
        KvConfig.Load(new ConfigSources { File = file, Settings = settings ?? [], Flags = flags, Environment = environment ?? Env() });

    /// <summary>
    /// Everything the executables read from configuration: kvnode's settings, the storage engine's,
    /// kv's, then every other settings binder of ours (a public static From/FromConfig taking a
    /// SettingReader or a LayeredConfig), so a new section's reader is covered without a change here.
    /// </summary>
    public static void ReadAll(LayeredConfig config)
    {
        NodeSettings.From(config);
        StorageConfig.From(new SettingReader(config));
        AdminClientOptions.FromConfig(config);
        foreach (var binder in OtherBinders.Value)
        {
            try
            {
                binder.Invoke(null, [binder.GetParameters()[0].ParameterType == typeof(LayeredConfig) ? config : new SettingReader(config)]);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }
    }

    private static readonly Lazy<IReadOnlyList<MethodInfo>> OtherBinders = new(() =>
    {
        MethodInfo[] known =
        [
            typeof(NodeSettings).GetMethod(nameof(NodeSettings.From), [typeof(LayeredConfig)])!,
            typeof(StorageConfig).GetMethod(nameof(StorageConfig.From), [typeof(SettingReader)])!,
            typeof(AdminClientOptions).GetMethod(nameof(AdminClientOptions.FromConfig), [typeof(LayeredConfig)])!,
        ];
        return WireTypes.OurAssemblies()
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name is "From" or "FromConfig" && m.ReturnType != typeof(void) && !m.IsGenericMethodDefinition
                && m.GetParameters() is [{ } only] && (only.ParameterType == typeof(SettingReader) || only.ParameterType == typeof(LayeredConfig)))
            .Where(m => !known.Contains(m))
            .OrderBy(m => m.DeclaringType!.FullName, StringComparer.Ordinal)
            .ToList();
    });

    /// <summary>The message of the <see cref="ConfigException"/> that <paramref name="act"/> throws; fails if it throws none or another kind.</summary>
    public static string ConfigError(Action act)
    {
        var thrown = act.Should().Throw<ConfigException>().Which;
        AssertOneSentence(thrown.Message);
        return thrown.Message;
    }

    /// <summary>One line, ending like a sentence, with no .NET type name, exception name or stack frame.</summary>
    public static void AssertOneSentence(string message)
    {
        message.Should().NotContainAny(["\n", "\r"], "an error is one line");
        message.Should().NotContainAny(["System.", "Exception", "   at ", "`1", "Nullable", "Akka."], "no .NET internals in an error: " + message);
        message.Should().Match(m => m.EndsWith('.') || m.EndsWith('?'), "an error is a sentence: " + message);
    }

    public static string Thumbprint(string pfx) =>
        System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(pfx, null).GetCertHashString(HashAlgorithmName.SHA256);
}
