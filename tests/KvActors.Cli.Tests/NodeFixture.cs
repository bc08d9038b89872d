using KvActors.TestKit.Processes;
using KvActors.TestKit;

namespace KvActors.Cli.Tests;

/// <summary>One kvnode shared by the tests of a class that only ask it things.</summary>
public sealed class NodeFixture : IDisposable
{
    public NodeFixture() => (Process, Port) = Executables.StartNode();

    public TestHostProcess Process { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public void Dispose() => Process.Dispose();
}
