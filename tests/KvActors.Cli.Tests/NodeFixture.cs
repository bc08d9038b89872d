using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>One kvnode (a cluster of itself) shared by the test classes that only ask it things.</summary>
public sealed class NodeFixture : IDisposable
{
    public NodeFixture() => Node = NodeProcess.Start(new NodeOptions { Name = "standalone" });

    public NodeProcess Node { get; }

    public string Address => Node.Address;

    public void Dispose() => Node.Dispose();
}

[CollectionDefinition(Name)]
public sealed class StandaloneNodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "one standalone kvnode";
}
