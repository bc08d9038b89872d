namespace KvActors.Resp.Protocol;

/// <summary>
/// A client sent bytes that are not a RESP request within the limits. The message has Redis's shape
/// (<c>Protocol error: invalid bulk length</c>); the server answers <see cref="ErrorReply"/> and closes that connection.
/// </summary>
public sealed class RespProtocolException(string detail) : Exception($"Protocol error: {detail}")
{
    /// <summary>The error reply's text: <c>ERR Protocol error: ...</c>.</summary>
    public string ErrorReply => $"ERR {Message}";
}
