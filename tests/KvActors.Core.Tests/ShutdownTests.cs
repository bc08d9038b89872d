using System.Diagnostics;
using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

/// <summary>Timing-sensitive: runs alone, not next to other test classes.</summary>
[CollectionDefinition(nameof(ShutdownCollection), DisableParallelization = true)]
public sealed class ShutdownCollection;

[Collection(nameof(ShutdownCollection))]
public sealed class ShutdownTests : TestKitBase
{
    private readonly ITestOutputHelper _testOutput;

    public ShutdownTests(ITestOutputHelper testOutput) : base(testOutput) => _testOutput = testOutput;

    private sealed class Leaf : ReceiveActor
    {
        public Leaf() => Receive<string>(_ => Sender!.Tell("pong"));
    }

    /// <summary>Makes its children, pings each, and reports "ready" once all of them answered.</summary>
    private sealed class Branch : ReceiveActor
    {
        public Branch(int children, IActorRef report)
        {
            for (var i = 0; i < children; i++) Context.ActorOf(Props.Create<Leaf>(), $"leaf-{i}").Tell("ping", Self);
            var pongs = 0;
            Receive<string>(s => s == "pong", _ => { if (++pongs == children) report.Tell("ready"); });
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        private readonly string _name;
        private readonly Action<string> _record;
        public Recorder(string name, Action<string> record) { _name = name; _record = record; ReceiveAny(_ => { }); }
        protected override void PostStop() => _record(_name);
    }

    [Fact]
    public void A_system_with_10000_live_actors_terminates_within_2_seconds()
    {
        const int parents = 100, children = 100;
        for (var p = 0; p < parents; p++)
            Sys.ActorOf(Props.Create(() => new Branch(children, TestActor)), $"branch-{p}");
        ReceiveN(parents, TestKitSettings.Dilated(TimeSpan.FromSeconds(30))).Should().OnlyContain(m => "ready".Equals(m));

        var clock = Stopwatch.StartNew();
        var limit = TestKitSettings.Dilated(TimeSpan.FromSeconds(2));
        var terminated = Sys.Terminate();
        Awaiting.Completes(terminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(30)));
        clock.Stop();
        Output($"Terminating {parents * children + parents} actors took {clock.ElapsedMilliseconds} ms.");
        terminated.IsCompletedSuccessfully.Should().BeTrue();
        clock.Elapsed.Should().BeLessThanOrEqualTo(limit);
    }

    [Fact]
    public void Terminate_stops_user_actors_before_system_actors_and_completes_WhenTerminated()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Sys.ActorOf(Props.Create(() => new Recorder("user", stopped.Enqueue)), "u");
        Sys.SystemActorOf(Props.Create(() => new Recorder("system", stopped.Enqueue)), "s");
        Sys.IsTerminating.Should().BeFalse();
        var t = Sys.Terminate();
        Sys.IsTerminating.Should().BeTrue();
        Awaiting.Completes(t, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        Sys.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
        stopped.Should().Equal("user", "system");
        Sys.Provider.RootGuardian.IsTerminated.Should().BeTrue();
        Sys.Terminate().IsCompleted.Should().BeTrue(); // again: already done
    }

    [Fact]
    public void After_termination_new_top_level_actors_are_refused()
    {
        Awaiting.Completes(Sys.Terminate(), TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        var act = () => Sys.ActorOf(Props.Create<EchoActor>());
        act.Should().Throw<InvalidOperationException>();
    }

    private void Output(string line) => _testOutput.WriteLine(line);
}
