using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace KvActors.Node.Hosting;

public sealed class NodeConsoleFormatterOptions : ConsoleFormatterOptions
{
    public string NodeName { get; set; } = "";
}

/// <summary>
/// One line per entry, "time level [node] category: message", so the logs of several nodes
/// sharing one terminal (./build.sh cluster) or one file can be told apart and grepped.
/// </summary>
public sealed class NodeConsoleFormatter(IOptionsMonitor<NodeConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "kvnode";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var category = ClassName(logEntry.Category);
        // Akka.Hosting formats Akka's events with Akka's own prefix (level, date, thread, source);
        // of that, the source is all we keep: our line has the time and level already.
        if (message is not null && AkkaPrefix.Match(message) is { Success: true } akka)
        {
            category = AkkaSource(akka.Groups["source"].Value);
            message = message[akka.Length..];
        }
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null) return;
        textWriter.Write(DateTimeOffset.Now.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(" [");
        textWriter.Write(options.CurrentValue.NodeName);
        textWriter.Write("] ");
        textWriter.Write(category);
        textWriter.Write(": ");
        textWriter.Write(message);
        if (logEntry.Exception is not null)
        {
            textWriter.Write(Environment.NewLine);
            textWriter.Write(logEntry.Exception.ToString());
        }
        textWriter.Write(Environment.NewLine);
    }

    private static readonly Regex AkkaPrefix = new(@"^\[[A-Z]+\]\[[^\]]*\]\[Thread \d+\]\[(?<source>[^\]]*)\] ?", RegexOptions.Compiled);

    /// <summary>The class name is enough to find the source.</summary>
    private static string ClassName(string category) => category[(category.LastIndexOf('.') + 1)..];

    /// <summary>"akka.tcp://kvactors@127.0.0.1:4053/system/cluster/core/daemon" -> "/system/cluster/core/daemon"; "Cluster (akka://kvactors)" -> "Cluster".</summary>
    private static string AkkaSource(string source)
    {
        var paren = source.IndexOf(" (", StringComparison.Ordinal);
        if (paren > 0) return source[..paren];
        var scheme = source.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return source;
        var path = source.IndexOf('/', scheme + 3);
        return path < 0 ? source : Uri.UnescapeDataString(source[path..]);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT ",
        _ => "     ",
    };
}
