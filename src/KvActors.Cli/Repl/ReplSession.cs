using System.Globalization;
using KvActors.Cli.Output;
using KvActors.Client;

namespace KvActors.Cli.Repl;

/// <summary>
/// The prototypes' line commands (PING, STATUS, LIST_NODES, HELP, EXIT; PUT/GET/DELETE once the
/// store exists). Connects on the first command that needs a node and keeps that connection.
/// With <paramref name="oneLine"/> (input piped from a script) every command prints exactly one
/// line on stdout, an error as "ERROR sentence", so a script can pair outputs with commands.
/// </summary>
public sealed class ReplSession(AdminClientOptions options, bool json, bool oneLine = false) : IAsyncDisposable
{
    public const string StoreMissing = "not available yet: the data commands arrive with the store";

    private AdminClient? _client;

    public bool ExitRequested { get; private set; }

    public static string Help => """
        PING                 round trip to the node's admin actor
        STATUS               the cluster as the node sees it (like kv cluster show)
        LIST_NODES           member addresses, one per line
        PUT key value        (not available yet: the data commands arrive with the store)
        GET key              (not available yet)
        DELETE key           (not available yet)
        HELP                 this list
        EXIT                 leave the REPL
        """;

    public const string HelpLine = "commands: PING, STATUS, LIST_NODES, HELP, EXIT (PUT, GET, DELETE arrive with the store)";

    /// <summary>Runs one line; returns its exit code (errors are already printed).</summary>
    public async Task<int> Execute(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return ExitCodes.Success;
        var verb = words[0].ToUpperInvariant();
        try
        {
            switch (verb)
            {
                case "PING":
                    var (node, latency) = await (await Client().ConfigureAwait(false)).PingAsync().ConfigureAwait(false);
                    Console.WriteLine($"PONG from {node} in {latency.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture)} ms");
                    return ExitCodes.Success;
                case "STATUS":
                    var status = await (await Client().ConfigureAwait(false)).ShowAsync().ConfigureAwait(false);
                    if (json || oneLine) Console.WriteLine(ClusterJson.Show(status));
                    else ClusterTable.Write(Terminal.Create(), status);
                    return ExitCodes.Success;
                case "LIST_NODES":
                    var members = (await (await Client().ConfigureAwait(false)).ShowAsync().ConfigureAwait(false)).Members
                        .Select(m => m.Address).Order(StringComparer.Ordinal).ToList();
                    if (json) Console.WriteLine(ClusterJson.Addresses(members));
                    else if (oneLine) Console.WriteLine(string.Join(' ', members));
                    else foreach (var m in members) Console.WriteLine(m);
                    return ExitCodes.Success;
                case "HELP":
                    Console.WriteLine(oneLine ? HelpLine : Help);
                    return ExitCodes.Success;
                case "EXIT" or "QUIT":
                    ExitRequested = true;
                    if (oneLine) Console.WriteLine("BYE");
                    return ExitCodes.Success;
                case "PUT" or "SET" or "GET" or "DELETE" or "DEL":
                    // Refused rather than faked: an answer here would look like data that is not there.
                    return Error(StoreMissing);
                default:
                    return Error($"Unknown command '{words[0]}': type HELP for the list");
            }
        }
        catch (AdminClientException e)
        {
            return Error(e.Message);
        }
    }

    private int Error(string message)
    {
        if (!oneLine) return CliError.Report(message);
        Console.WriteLine("ERROR " + CliError.Sentence(message));
        return ExitCodes.Error;
    }

    private async Task<AdminClient> Client() => _client ??= await AdminClient.ConnectAsync(options).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync().ConfigureAwait(false);
    }
}
