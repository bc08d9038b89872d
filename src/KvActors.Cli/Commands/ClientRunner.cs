using System.CommandLine;
using KvActors.Client;

namespace KvActors.Cli.Commands;

/// <summary>Connects with the global options, runs one command, and turns every failure into one sentence and exit code 2.</summary>
public static class ClientRunner
{
    public static async Task<int> Run(ParseResult parsed, Func<AdminClient, Task<int>> command)
    {
        AdminClientOptions options;
        try { options = GlobalOptions.ClientOptions(parsed); }
        catch (FormatException e) { return CliError.Report(e.Message); }
        try
        {
            await using var client = await AdminClient.ConnectAsync(options).ConfigureAwait(false);
            return await command(client).ConfigureAwait(false);
        }
        catch (AdminClientException e)
        {
            return CliError.Report(e.Message);
        }
    }

    /// <summary>As <see cref="Run"/> for the data commands, with a <see cref="KvClient"/>.</summary>
    public static async Task<int> RunData(ParseResult parsed, Func<KvClient, Task<int>> command)
    {
        AdminClientOptions options;
        try { options = GlobalOptions.ClientOptions(parsed); }
        catch (FormatException e) { return CliError.Report(e.Message); }
        try
        {
            await using var client = await KvClient.ConnectAsync(KvClientOptions.From(options)).ConfigureAwait(false);
            return await command(client).ConfigureAwait(false);
        }
        catch (KvClientException e)
        {
            return CliError.Report(e.Message);
        }
    }
}
