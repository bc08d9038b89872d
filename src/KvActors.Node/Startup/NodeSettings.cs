using KvActors.Hocon;

namespace KvActors.Node.Startup;

/// <summary>The kvnode-specific settings, read and checked before anything starts.</summary>
public sealed record NodeSettings(string Name, string SystemName, IReadOnlyList<string> SeedNodes, string DataDir)
{
    public static NodeSettings From(Config config)
    {
        var host = config.GetString("kvactors.remote.hostname");
        var port = config.GetInt("kvactors.remote.port");
        var name = config.GetString("kvactors.node.name", "");
        // An unnamed node is called by its endpoint, which is unique within a cluster.
        if (name.Length == 0) name = $"{host}:{port}";
        var systemName = config.GetString("kvactors.node.system-name", "kvactors");
        // seed-nodes belongs to the cluster layer's section, which may not be in reference.conf yet.
        var seeds = config.HasPath("kvactors.cluster.seed-nodes") ? config.GetStringList("kvactors.cluster.seed-nodes") : [];
        var dataDir = config.GetString("kvactors.persistence.data-dir");
        return new NodeSettings(name, systemName, seeds, dataDir);
    }
}
