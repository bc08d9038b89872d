using System.Globalization;
using KvActors.Cli.Output;
using KvActors.Client;
using Spectre.Console;

namespace KvActors.Cli.Repl;

/// <summary>
/// The prototypes' line commands (PING, STATUS, LIST_NODES, HELP, EXIT; PUT/GET/DELETE once the
/// store exists). Connects on the first command that needs a node and keeps that connection.
/// </summary>
public sealed class ReplSession(AdminClientOptions options, bool json) : IAsyncDisposable
{
    public const string StoreMissing = "not available yet: the store layer is not built";

    private AdminClient? _client;

    public bool ExitRequested { get; private set; }

    public static string Help => """
        PING                 round trip to the node's admin actor
        STATUS               the cluster as the node sees it (like kv cluster show)
        LIST_NODES           member addresses, one per line
        PUT key value        (not available yet: the store layer is not built)
        GET key              (not available yet)
        DELETE key           (not available yet)
        HELP                 this list
        EXIT                 leave the REPL
        """;

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
                    if (json) Console.WriteLine(ClusterJson.Show(status));
                    else ClusterTable.Write(AnsiConsole.Console, status);
                    return ExitCodes.Success;
                case "LIST_NODES":
                    var members = (await (await Client().ConfigureAwait(false)).ShowAsync().ConfigureAwait(false)).Members;
                    foreach (var m in members.OrderBy(m => m.Address, StringComparer.Ordinal)) Console.WriteLine(m.Address);
                    return ExitCodes.Success;
                case "HELP":
                    Console.WriteLine(Help);
                    return ExitCodes.Success;
                case "EXIT" or "QUIT":
                    ExitRequested = true;
                    return ExitCodes.Success;
                case "PUT" or "GET" or "DELETE":
                    // Refused rather than faked: an answer here would look like data that is not there.
                    return CliError.Report(StoreMissing);
                default:
                    return CliError.Report($"Unknown command '{words[0]}': type HELP for the list");
            }
        }
        catch (AdminClientException e)
        {
            return CliError.Report(e.Message);
        }
    }

    private async Task<AdminClient> Client() => _client ??= await AdminClient.ConnectAsync(options).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync().ConfigureAwait(false);
    }
}
