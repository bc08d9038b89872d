using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// Commands (<see cref="KvCommand"/>) and their answers (<see cref="CommandResult"/>) to and from store.proto. Pure;
/// every conversion round-trips. A malformed request gives a <see cref="FormatException"/> of one sentence.
/// </summary>
public static class CommandWire
{
    public static CommandRequest ToRequest(RequestId request, KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var message = new CommandRequest { ClientId = request.ClientId, RequestId = request.Sequence, Key = ByteString.CopyFrom(command.Key) };
        switch (command)
        {
            case SetCommand set:
                message.Set = new SetCommandMessage
                {
                    Value = ByteString.CopyFrom(set.Value),
                    Condition = (SetConditionKind)set.Condition,
                    ReturnOld = set.ReturnOld,
                    Expiry = ToProto(set.Expiry),
                };
                break;
            case IncrementCommand increment:
                message.Increment = new IncrementCommandMessage { Delta = increment.Delta };
                break;
            case AppendCommand append:
                message.Append = new AppendCommandMessage { Suffix = ByteString.CopyFrom(append.Suffix) };
                break;
            case GetDeleteCommand:
                message.GetDelete = new GetDeleteCommandMessage();
                break;
            case ExpireCommand expire:
                message.Expire = new ExpireCommandMessage { When = ToProto(expire.When), Condition = (ExpireConditionKind)expire.Condition };
                break;
            case PersistCommand:
                message.Persist = new PersistCommandMessage();
                break;
            default:
                throw new ArgumentException($"No wire form for {command.GetType().Name}.", nameof(command));
        }
        return message;
    }

    public static KvCommand FromRequest(CommandRequest message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = message.Key.ToByteArray();
        return message.CommandCase switch
        {
            CommandRequest.CommandOneofCase.Set => new SetCommand(key, StoredBytes.Copy(message.Set.Value),
                Known((SetCondition)message.Set.Condition, "set condition"), message.Set.ReturnOld, FromProto(message.Set.Expiry)),
            CommandRequest.CommandOneofCase.Increment => new IncrementCommand(key, message.Increment.Delta),
            CommandRequest.CommandOneofCase.Append => new AppendCommand(key, message.Append.Suffix.ToByteArray()),
            CommandRequest.CommandOneofCase.GetDelete => new GetDeleteCommand(key),
            CommandRequest.CommandOneofCase.Expire => new ExpireCommand(key, FromProto(message.Expire.When),
                Known((ExpireCondition)message.Expire.Condition, "expire condition")),
            CommandRequest.CommandOneofCase.Persist => new PersistCommand(key),
            _ => throw new FormatException($"Command request {message.ClientId}#{message.RequestId} carries no command."),
        };
    }

    public static CommandResultMessage ToProto(CommandResult result) => new()
    {
        Existed = result.Existed,
        Applied = result.Applied,
        HasValue = result.Value is not null,
        Value = result.Value is null ? ByteString.Empty : ByteString.CopyFrom(result.Value),
        Number = result.Number,
        Error = (int)result.Error,
    };

    /// <summary>The answer a message carries; null for null (an entry or answer made without one).</summary>
    public static CommandResult? FromProto(CommandResultMessage? message) => message is null
        ? null
        : message is { Applied: true, HasValue: false, Number: 0, Error: 0 } ? CommandResult.Plain(message.Existed)
        : new CommandResult(message.Existed, message.Applied, message.HasValue ? message.Value.ToByteArray() : null, message.Number,
            Known((CommandError)message.Error, "command error"));

    private static ExpiryMessage ToProto(Expiry expiry) => new() { Kind = (ExpiryKindMessage)expiry.Kind, Ms = expiry.Ms };

    private static Expiry FromProto(ExpiryMessage? message) =>
        message is null ? Expiry.None : new Expiry(Known((ExpiryKind)message.Kind, "expiry kind"), message.Ms);

    private static T Known<T>(T value, string what) where T : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new FormatException($"Unknown {what} {Convert.ToInt32(value)} in a command.");
}
