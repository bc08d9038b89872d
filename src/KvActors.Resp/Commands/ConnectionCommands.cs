using System.Security.Cryptography;
using System.Text;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>PING, ECHO, HELLO, AUTH, SELECT, QUIT, CLIENT, READONLY, READWRITE: the connection's own commands.</summary>
internal static class ConnectionCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("PING", -1, ["fast", "stale"], 0, 0, 0, "connection", "Returns the server's liveliness response.", Ping),
        new("ECHO", 2, ["fast", "stale"], 0, 0, 0, "connection", "Returns the given string.", Echo),
        new("HELLO", -1, ["noauth", "fast", "stale"], 0, 0, 0, "connection", "Handshakes with the server (protocol 2 or 3, AUTH, SETNAME).", Hello),
        new("AUTH", -2, ["noauth", "fast", "stale"], 0, 0, 0, "connection", "Authenticates the connection.", Auth),
        new("SELECT", 2, ["fast", "stale"], 0, 0, 0, "connection", "Changes the selected database (only 0 in cluster mode).", Select),
        new("QUIT", -1, ["noauth", "fast", "stale"], 0, 0, 0, "connection", "Closes the connection.", Quit),
        new("CLIENT", -2, ["stale"], 0, 0, 0, "connection", "CLIENT SETNAME, GETNAME, SETINFO, ID, INFO.", Client),
        new("READONLY", 1, ["fast", "stale"], 0, 0, 0, "cluster", "Enables reads from replicas (possibly stale) on this connection.", ReadOnly),
        new("READWRITE", 1, ["fast", "stale"], 0, 0, 0, "cluster", "Disables reads from replicas on this connection.", ReadWrite),
    ];

    private static ValueTask<RespValue> Done(RespValue value) => ValueTask.FromResult(value);

    private static ValueTask<RespValue> Ping(RespSession session, RespCommand command) => command.Count switch
    {
        1 => Done(RespValue.Pong),
        2 => Done(RespValue.Bulk(command[1])),
        _ => Done(Replies.WrongArity("ping")),
    };

    private static ValueTask<RespValue> Echo(RespSession session, RespCommand command) => Done(RespValue.Bulk(command[1]));

    private static ValueTask<RespValue> Hello(RespSession session, RespCommand command)
    {
        var version = session.Version;
        var i = 1;
        if (command.Count > 1)
        {
            if (!RespRequestParser.TryParseInteger(command[1], out var requested))
                return Done(RespValue.Error("ERR Protocol version is not an integer or out of range"));
            if (requested is not (2 or 3)) return Done(RespValue.Error("NOPROTO unsupported protocol version"));
            version = (RespVersion)requested;
            i = 2;
        }
        string? name = null;
        for (; i < command.Count; i++)
        {
            var option = command.Upper(i);
            if (option == "AUTH" && i + 2 < command.Count)
            {
                if (AuthFailure(session, command.Text(i + 1), command[i + 2]) is { } failure) return Done(failure);
                i += 2;
            }
            else if (option == "SETNAME" && i + 1 < command.Count)
            {
                if (NameProblem(command[i + 1]) is { } problem) return Done(problem);
                name = command.Text(i + 1);
                i++;
            }
            else
            {
                return Done(RespValue.Error($"ERR Syntax error in HELLO option '{command.Text(i)}'"));
            }
        }
        if (!session.Authenticated) return Done(RespValue.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
        session.Version = version;
        if (name is not null) session.Name = name.Length == 0 ? null : name;
        return Done(RespValue.MapOf(
            ("server", RespValue.Bulk("redis")),
            ("version", RespValue.Bulk(RespNode.RedisVersion)),
            ("proto", RespValue.Integer((int)version)),
            ("id", RespValue.Integer(session.Id)),
            ("mode", RespValue.Bulk("cluster")),
            ("role", RespValue.Bulk("master")),
            ("modules", RespValue.EmptyArray)));
    }

    private static ValueTask<RespValue> Auth(RespSession session, RespCommand command)
    {
        if (command.Count > 3) return Done(Replies.Syntax);
        var user = command.Count == 3 ? command.Text(1) : "default";
        return Done(AuthFailure(session, user, command[^1]) ?? RespValue.Ok);
    }

    /// <summary>Null when the credentials are right (the session is then authenticated), else Redis's error.</summary>
    private static RespValue? AuthFailure(RespSession session, string user, byte[] password)
    {
        var expected = session.Node.Settings.Password;
        if (expected.Length == 0)
            return RespValue.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        if (user != "default" || !CryptographicOperations.FixedTimeEquals(password, Encoding.UTF8.GetBytes(expected)))
            return RespValue.Error("WRONGPASS invalid username-password pair or user is disabled.");
        session.Authenticated = true;
        return null;
    }

    private static ValueTask<RespValue> Select(RespSession session, RespCommand command)
    {
        if (!RespRequestParser.TryParseInteger(command[1], out var db)) return Done(Replies.NotInteger);
        return Done(db == 0 ? RespValue.Ok : RespValue.Error("ERR SELECT is not allowed in cluster mode"));
    }

    private static ValueTask<RespValue> Quit(RespSession session, RespCommand command)
    {
        session.CloseAfterReply = true;
        return Done(RespValue.Ok);
    }

    private static ValueTask<RespValue> ReadOnly(RespSession session, RespCommand command)
    {
        session.ReplicaReads = true;
        return Done(RespValue.Ok);
    }

    private static ValueTask<RespValue> ReadWrite(RespSession session, RespCommand command)
    {
        session.ReplicaReads = false;
        return Done(RespValue.Ok);
    }

    private static ValueTask<RespValue> Client(RespSession session, RespCommand command)
    {
        var sub = command.Upper(1);
        switch (sub)
        {
            case "SETNAME" when command.Count == 3:
                if (NameProblem(command[2]) is { } problem) return Done(problem);
                session.Name = command[2].Length == 0 ? null : command.Text(2);
                return Done(RespValue.Ok);
            case "GETNAME" when command.Count == 2:
                return Done(session.Name is null ? RespValue.Null : RespValue.Bulk(session.Name));
            case "ID" when command.Count == 2:
                return Done(RespValue.Integer(session.Id));
            case "INFO" when command.Count == 2:
                return Done(new RespValue.VerbatimString(Describe(session) + "\n"));
            case "SETINFO" when command.Count == 4:
                var attribute = command.Upper(2);
                if (NameProblem(command[3]) is not null)
                    return Done(RespValue.Error($"ERR {command.Text(2)} cannot contain spaces, newlines or special characters."));
                if (attribute == "LIB-NAME") session.LibraryName = command.Text(3);
                else if (attribute == "LIB-VER") session.LibraryVersion = command.Text(3);
                else return Done(RespValue.Error($"ERR Unrecognized option '{command.Text(2)}'"));
                return Done(RespValue.Ok);
            case "SETNAME" or "GETNAME" or "ID" or "INFO" or "SETINFO":
                return Done(Replies.WrongArity($"client|{sub.ToLowerInvariant()}"));
            default:
                return Done(Replies.UnknownSubcommand(command));
        }
    }

    private static string Describe(RespSession s) =>
        $"id={s.Id} addr={s.RemoteAddress} name={s.Name ?? ""} db=0 resp={(int)s.Version} lib-name={s.LibraryName ?? ""} lib-ver={s.LibraryVersion ?? ""}";

    /// <summary>Redis refuses names with spaces, newlines or other characters outside '!'..'~'.</summary>
    private static RespValue? NameProblem(byte[] name) =>
        name.Any(b => b is < (byte)'!' or > (byte)'~')
            ? RespValue.Error("ERR Client names cannot contain spaces, newlines or special characters.")
            : null;
}
