using System.Text;
using KvActors.Client;
using KvActors.Resp.Protocol;
using KvActors.Storage;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Commands;

/// <summary>The error replies several commands share, in Redis's words.</summary>
public static class Replies
{
    public static readonly RespValue Syntax = RespValue.Error("ERR syntax error");
    public static readonly RespValue NotInteger = RespValue.Error("ERR value is not an integer or out of range");
    public static readonly RespValue CrossSlot = RespValue.Error("CROSSSLOT Keys in request don't hash to the same slot");
    public static readonly RespValue NoAuth = RespValue.Error("NOAUTH Authentication required.");

    public static RespValue WrongArity(string name) => RespValue.Error($"ERR wrong number of arguments for '{name.ToLowerInvariant()}' command");

    public static RespValue UnknownSubcommand(RespCommand command) =>
        RespValue.Error($"ERR unknown subcommand '{Clip(command.Text(1), 128)}'. Try {command.Name} HELP.");

    /// <summary>Redis's text: the name and the first arguments, quoted, 128 characters of arguments at most.</summary>
    public static RespValue UnknownCommand(RespCommand command)
    {
        var args = new StringBuilder();
        for (var i = 1; i < command.Count && args.Length < 128; i++)
            args.Append('\'').Append(Clip(command.Text(i), 128 - args.Length)).Append("' ");
        return RespValue.Error($"ERR unknown command '{Clip(command.Text(0), 128)}', with args beginning with: {args}");
    }

    /// <summary>An argument longer than the store keeps, in one sentence: its size, the limit and the setting that sets it.</summary>
    public static RespValue OverStoreLimit(string what, long length, long limit, string storageSetting) =>
        RespValue.Error($"ERR {what} of {length} bytes is over this store's limit of {limit} bytes ({StorageSettings.Section}.{storageSetting})");

    /// <summary>A store failure as one error line (the client's sentence without its full stop, as Redis errors are written).</summary>
    public static RespValue StoreFailure(KvClientException e) => RespValue.Error($"ERR {e.Message.TrimEnd('.')}");

    /// <summary>The error reply when <paramref name="keys"/> do not all hash to one slot, else null.</summary>
    public static RespValue? CrossSlotOrNull(IEnumerable<byte[]> keys)
    {
        var slot = -1;
        foreach (var key in keys)
        {
            var s = HashSlot.Of(key);
            if (slot >= 0 && s != slot) return CrossSlot;
            slot = s;
        }
        return null;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..Math.Max(0, max)];
}
