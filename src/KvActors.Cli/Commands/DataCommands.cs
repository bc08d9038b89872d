using System.CommandLine;
using KvActors.Cli.Output;
using KvActors.Client;

namespace KvActors.Cli.Commands;

/// <summary>
/// `kv put KEY VALUE` (VALUE "-": stdin, read as it is), `kv get KEY` (the value alone, then a newline; exit 1 when
/// there is none), `kv delete KEY` (exit 1 when there was nothing to delete). `kv put KEY VALUE --ttl 10s` makes the key
/// expire (durations as <see cref="Durations"/>); `kv get` never prints an expired key. `--json` prints <see cref="DataText"/>'s JSON.
/// </summary>
public static class DataCommands
{
    public static IEnumerable<Command> Create() => [Put(), Get(), Delete()];

    private static Argument<string> Key() => new("key") { Description = "The key (UTF-8 text)." };

    private static Command Put()
    {
        var key = Key();
        var value = new Argument<string>("value") { Description = "The value as given, or - to read it from stdin (every byte, trailing newline included)." };
        var ttl = new Option<string?>("--ttl") { Description = "Expire the key this long after the write (500ms, 10s, 5m, or seconds); without it any earlier expiry is cleared." };
        var command = new Command("put", "Write a value under a key; prints where it was committed.") { key, value, ttl };
        command.SetAction((parsed, _) =>
        {
            var k = parsed.GetValue(key)!;
            TimeSpan? expiry = null;
            if (parsed.GetValue(ttl) is { } ttlText)
            {
                if (!Durations.TryParse(ttlText, out var span))
                    return Task.FromResult(CliError.Report($"--ttl: expected a duration such as 500ms, 10s or 5m, got '{ttlText}'", ExitCodes.Error));
                expiry = span;
            }
            var text = parsed.GetValue(value)!;
            byte[] bytes;
            if (text == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = System.Text.Encoding.UTF8.GetBytes(text);
            }
            return ClientRunner.RunData(parsed, async client =>
            {
                var result = expiry is { } after
                    ? (await client.PutAsync(System.Text.Encoding.UTF8.GetBytes(k), bytes, KvPutOptions.WithTtl(after)).ConfigureAwait(false)).AsWriteResult
                    : await client.PutAsync(System.Text.Encoding.UTF8.GetBytes(k), bytes).ConfigureAwait(false);
                Console.WriteLine(parsed.GetValue(GlobalOptions.Json) ? DataText.WrittenJson("PUT", k, result) : DataText.Written("PUT", k, result));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Get()
    {
        var key = Key();
        var command = new Command("get", "Print the value under a key (exit code 1 when there is none).") { key };
        command.SetAction((parsed, _) => ClientRunner.RunData(parsed, async client =>
        {
            var k = parsed.GetValue(key)!;
            var value = await client.GetAsync(System.Text.Encoding.UTF8.GetBytes(k)).ConfigureAwait(false);
            if (parsed.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(DataText.ValueJson(k, value));
                return value is null ? ExitCodes.NotFound : ExitCodes.Success;
            }
            if (value is null) return CliError.Report($"Key '{k}' not found", ExitCodes.NotFound);
            // The bytes as stored (not re-encoded), then a newline.
            Console.Out.Flush();
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(value);
            stdout.WriteByte((byte)'\n');
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Delete()
    {
        var key = Key();
        var command = new Command("delete", "Delete a key (exit code 1 when it held no value).") { key };
        command.SetAction((parsed, _) => ClientRunner.RunData(parsed, async client =>
        {
            var k = parsed.GetValue(key)!;
            var result = await client.DeleteWithPlacementAsync(System.Text.Encoding.UTF8.GetBytes(k)).ConfigureAwait(false);
            if (parsed.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(DataText.WrittenJson("DELETE", k, result));
                return result.Existed ? ExitCodes.Success : ExitCodes.NotFound;
            }
            if (!result.Existed) return CliError.Report($"Key '{k}' not found; nothing was deleted", ExitCodes.NotFound);
            Console.WriteLine(DataText.Written("DELETE", k, result));
            return ExitCodes.Success;
        }));
        return command;
    }
}
