using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>A spec with its own harness (nodes are shut down when the spec ends).</summary>
public abstract class SpecBase : IDisposable
{
    protected SpecBase(ITestOutputHelper output, string extraConfig = "")
    {
        Logs = new LogCapture(output);
        Harness = new ClusterHarness(Logs, extraConfig);
    }

    protected LogCapture Logs { get; }
    protected ClusterHarness Harness { get; }

    public void Dispose()
    {
        try { Harness.Dispose(); }
        finally { Logs.CloseOutput(); }
        GC.SuppressFinalize(this);
    }
}
