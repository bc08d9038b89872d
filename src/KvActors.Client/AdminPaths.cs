namespace KvActors.Client;

/// <summary>Where the admin actor lives on every node, shared by the node and the client so they cannot drift.</summary>
public static class AdminPaths
{
    /// <summary>Name of the admin actor under /system (it outlives user actors during shutdown).</summary>
    public const string ActorName = "admin";

    /// <summary>The full remote path of the admin actor of the node at <paramref name="node"/>.</summary>
    public static string AdminActor(string systemName, HostPort node, bool tls) =>
        $"{Protocol(tls)}://{systemName}@{node.Host}:{node.Port}/system/{ActorName}";

    /// <summary>The actor-system name of every kv client (AdminClient, KvClient): nodes tell a client's associations from their peers' by it.</summary>
    public const string ClientSystemName = ClientSystem.Name;

    /// <summary>Akka.Remote's address scheme: a TLS transport (DotNetty's, and KvActors' SocketTransport) calls itself akka.ssl.tcp.</summary>
    public static string Protocol(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";
}
