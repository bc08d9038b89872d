using System.Runtime.CompilerServices;
using KvActors.TestKit;

namespace KvActors.MultiNode.Tests;

/// <summary>This process hosts in-process cluster nodes beside synchronous test waits: see <see cref="ThreadPoolFloor"/>.</summary>
internal static class ThreadPoolSetup
{
    [ModuleInitializer]
    internal static void Initialize() => ThreadPoolFloor.Raise();
}
