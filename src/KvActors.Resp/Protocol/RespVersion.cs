namespace KvActors.Resp.Protocol;

/// <summary>The protocol a connection speaks: RESP2 until the client says <c>HELLO 3</c>.</summary>
public enum RespVersion
{
    Resp2 = 2,
    Resp3 = 3,
}
