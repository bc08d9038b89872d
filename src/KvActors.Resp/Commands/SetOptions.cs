using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL], parsed and checked as Redis does
/// (conflicting or repeated options: syntax error; a non-integer time: not an integer; zero or less: invalid expire time).
/// </summary>
public sealed record SetOptions
{
    public string? Condition { get; init; }
    public bool Get { get; init; }
    /// <summary>EX, PX, EXAT, PXAT or KEEPTTL; null = none.</summary>
    public string? Expiry { get; init; }
    public long ExpiryValue { get; init; }
    public RespValue? Error { get; init; }

    public bool IsPlain => Condition is null && !Get && Expiry is null;

    public static SetOptions Parse(RespCommand command)
    {
        var options = new SetOptions();
        for (var i = 3; i < command.Count; i++)
        {
            var option = command.Upper(i);
            switch (option)
            {
                case "NX" or "XX" when options.Condition is null:
                    options = options with { Condition = option };
                    break;
                case "GET" when !options.Get:
                    options = options with { Get = true };
                    break;
                case "KEEPTTL" when options.Expiry is null:
                    options = options with { Expiry = option };
                    break;
                case "EX" or "PX" or "EXAT" or "PXAT" when options.Expiry is null && i + 1 < command.Count:
                    if (!RespRequestParser.TryParseInteger(command[i + 1], out var value)) return new SetOptions { Error = Replies.NotInteger };
                    if (value <= 0 || (option is "EX" or "EXAT" && value > long.MaxValue / 1000))
                        return new SetOptions { Error = RespValue.Error("ERR invalid expire time in 'set' command") };
                    options = options with { Expiry = option, ExpiryValue = value };
                    i++;
                    break;
                default:
                    return new SetOptions { Error = Replies.Syntax };
            }
        }
        return options;
    }

    /// <summary>The options given, as the client wrote them (for the error that names what is missing).</summary>
    public string Describe() => string.Join(' ', new[] { Condition, Get ? "GET" : null, Expiry }.Where(o => o is not null));
}
