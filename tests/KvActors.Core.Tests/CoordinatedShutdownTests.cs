using System.Collections.Concurrent;
using KvActors.Actor;
using KvActors.Hocon;
using KvActors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Phase = KvActors.Actor.CoordinatedShutdown.Phase;

namespace KvActors.Core.Tests;

public sealed class CoordinatedShutdownTests(ITestOutputHelper output)
    : TestKitBase(output, Config.Parse("kvactors.coordinated-shutdown.phases.service-unbind.timeout = 300ms"))
{
    private CoordinatedShutdown Cs => Sys.CoordinatedShutdown;

    [Fact]
    public void The_reference_phases_are_ordered_by_their_dependencies()
    {
        Cs.OrderedPhases.Should().Equal(
            "before-service-unbind", "service-unbind", "service-requests-done", "service-stop",
            "before-cluster-shutdown", "cluster-leave", "cluster-exiting", "cluster-exiting-done",
            "cluster-shutdown", "before-actor-system-terminate", "actor-system-terminate");
    }

    [Fact]
    public void Phases_run_in_dependency_order_and_the_system_terminates()
    {
        var order = new ConcurrentQueue<string>();
        Task Record(string s) { order.Enqueue(s); return Task.CompletedTask; }
        // Added in reverse, so only the phase order can explain the run order.
        Cs.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "t4", () => Record("before-terminate"));
        Cs.AddTask(CoordinatedShutdown.PhaseClusterLeave, "t3", () => Record("cluster-leave"));
        Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "t2", async () => { await Task.Yield(); order.Enqueue("service-stop"); });
        Cs.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "t1", () => Record("before-unbind"));
        var run = Cs.Run(new ShutdownReason.Custom("test"));
        Awaiting.Completes(run, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        order.Should().Equal("before-unbind", "service-stop", "cluster-leave", "before-terminate");
        Sys.WhenTerminated.IsCompleted.Should().BeTrue();
        Cs.Reason.Should().Be(new ShutdownReason.Custom("test"));
    }

    [Fact]
    public void Tasks_of_one_phase_run_concurrently()
    {
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        Task Meet() { if (Interlocked.Increment(ref started) == 2) both.TrySetResult(); return both.Task; }
        Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "a", Meet);
        Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "b", Meet);
        Awaiting.Completes(Cs.Run(new ShutdownReason.Custom("test")), TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        both.Task.IsCompleted.Should().BeTrue();
        Logs.Matching(LogLevel.Warning, "timed out").Should().BeEmpty();
    }

    [Fact]
    public void A_phase_that_times_out_is_logged_and_the_shutdown_goes_on()
    {
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cs.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "hangs", () => new TaskCompletionSource().Task);
        Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "later", () => { later.TrySetResult(); return Task.CompletedTask; });
        Awaiting.Completes(Cs.Run(new ShutdownReason.Custom("test")), TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        later.Task.IsCompleted.Should().BeTrue();
        ExpectLog(LogLevel.Warning, "[service-unbind] timed out after 300 ms");
        Sys.IsTerminated.Should().BeTrue();
    }

    [Fact]
    public void A_failing_task_is_logged_and_the_shutdown_goes_on()
    {
        Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "throws", () => throw new InvalidOperationException("task boom"));
        Awaiting.Completes(Cs.Run(new ShutdownReason.Custom("test")), TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        ExpectLog(LogLevel.Warning, "task boom");
        Sys.IsTerminated.Should().BeTrue();
    }

    [Fact]
    public void Run_twice_returns_the_same_task_and_keeps_the_first_reason()
    {
        var first = Cs.Run(new ShutdownReason.Custom("first"));
        var second = Cs.Run(new ShutdownReason.Custom("second"));
        second.Should().BeSameAs(first);
        Cs.Reason.Should().Be(new ShutdownReason.Custom("first"));
        Awaiting.Completes(first, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        var act = () => Cs.AddTask(CoordinatedShutdown.PhaseServiceStop, "too late", () => Task.CompletedTask);
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void An_unknown_phase_is_refused()
    {
        var act = () => Cs.AddTask("no-such-phase", "x", () => Task.CompletedTask);
        act.Should().Throw<ArgumentException>().WithMessage("*no-such-phase*");
    }

    [Fact]
    public void ActorSystem_Terminate_runs_the_coordinated_shutdown()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cs.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "mark", () => { ran.TrySetResult(); return Task.CompletedTask; });
        var a = Sys.ActorOf(Props.Create<EchoActor>());
        var terminated = Sys.Terminate();
        Awaiting.Completes(terminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        terminated.Should().BeSameAs(Sys.WhenTerminated);
        ran.Task.IsCompleted.Should().BeTrue();
        Cs.Reason.Should().BeOfType<ShutdownReason.ActorSystemTerminate>();
        Sys.IsTerminated.Should().BeTrue();
        ((KvActors.Actor.Internal.InternalActorRef)a).IsTerminated.Should().BeTrue();
    }
}

public sealed class CoordinatedShutdownSortTests
{
    private static Phase P(params string[] deps) => new(deps, TimeSpan.FromSeconds(1), true, true);

    [Fact]
    public void TopologicalSort_puts_dependencies_first_and_breaks_ties_by_name()
    {
        var phases = new Dictionary<string, Phase>
        {
            ["c"] = P("a", "b"),
            ["b"] = P("a"),
            ["a"] = P(),
            ["z"] = P(),
            ["d"] = P("c"),
        };
        CoordinatedShutdown.TopologicalSort(phases).Should().Equal("a", "b", "c", "d", "z");
    }

    [Fact]
    public void TopologicalSort_detects_a_cycle()
    {
        var phases = new Dictionary<string, Phase> { ["a"] = P("c"), ["b"] = P("a"), ["c"] = P("b") };
        var act = () => CoordinatedShutdown.TopologicalSort(phases);
        act.Should().Throw<ArgumentException>().WithMessage("*cycle*");
    }

    [Fact]
    public void TopologicalSort_detects_a_self_dependency()
    {
        var act = () => CoordinatedShutdown.TopologicalSort(new Dictionary<string, Phase> { ["a"] = P("a") });
        act.Should().Throw<ArgumentException>().WithMessage("*cycle*");
    }

    [Fact]
    public void TopologicalSort_refuses_an_unknown_dependency()
    {
        var act = () => CoordinatedShutdown.TopologicalSort(new Dictionary<string, Phase> { ["a"] = P("ghost") });
        act.Should().Throw<ArgumentException>().WithMessage("*ghost*");
    }

    [Fact]
    public void A_config_with_a_cycle_cannot_make_a_system()
    {
        var config = Config.Parse("kvactors.coordinated-shutdown.phases.before-service-unbind.depends-on = [actor-system-terminate]");
        var act = () => ActorSystem.Create("cyclic", config);
        act.Should().Throw<ArgumentException>().WithMessage("*cycle*");
    }
}

public sealed class CoordinatedShutdownNoRecoverTests(ITestOutputHelper output)
    : TestKitBase(output, Config.Parse("""
        kvactors.coordinated-shutdown.phases.service-unbind { timeout = 200ms, recover = off }
        kvactors.coordinated-shutdown.run-by-actor-system-terminate = off
        """))
{
    [Fact]
    public void A_phase_with_recover_off_that_times_out_skips_the_rest()
    {
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.CoordinatedShutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "hangs", () => new TaskCompletionSource().Task);
        Sys.CoordinatedShutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "later", () => { later.TrySetResult(); return Task.CompletedTask; });
        Awaiting.Completes(Sys.CoordinatedShutdown.Run(new ShutdownReason.Custom("test")), TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        later.Task.IsCompleted.Should().BeFalse("the phases after the failed one are skipped");
        // ...but a node that began shutting down still stops: the actor system terminates.
        Awaiting.Completes(Sys.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
    }
}
