using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using KvActors.Store.Configuration;
using KvActors.Store.Dispatch;

namespace KvActors.Store.Tests.Dispatch;

public sealed class DedicatedThreadsExecutorTests
{
    [Fact]
    public async Task The_cluster_dispatcher_of_reference_conf_runs_actors_on_its_own_named_threads()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(KvConfig.Reference);
        var system = ActorSystem.Create("dispatch", config);
        try
        {
            var probe = system.ActorOf(Props.Create(() => new ThreadNameActor()).WithDispatcher("akka.actor.cluster-dispatcher"));
            var names = new HashSet<string?>();
            for (var i = 0; i < 50; i++)
                names.Add(await probe.Ask<string?>("which thread?", TimeSpan.FromSeconds(10)));
            names.Should().OnlyContain(n => n != null && n.StartsWith("akka.actor.cluster-dispatcher-", StringComparison.Ordinal));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void High_priority_work_queued_behind_a_busy_thread_runs_before_the_normal_work_queued_earlier()
    {
        var threads = Threads(1);
        var high = new DedicatedThreadsExecutor("high", threads, high: true);
        var normal = new DedicatedThreadsExecutor("normal", threads, high: false);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var order = new List<string>();
        using var done = new CountdownEvent(4);
        normal.Execute(new ActionRunnable(() => { started.Set(); release.Wait(); }));
        started.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        foreach (var (executor, name) in new[] { (normal, "n1"), (normal, "n2"), (high, "h"), (normal, "n3") })
            executor.Execute(new ActionRunnable(() => { lock (order) order.Add(name); done.Signal(); }));
        release.Set();
        done.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        order.Should().Equal("h", "n1", "n2", "n3");
        threads.RemoveUser();
    }

    [Fact]
    public void Work_queued_behind_a_thread_stuck_on_a_long_task_is_run_by_another_thread_without_any_new_work()
    {
        var threads = Threads(2);
        var executor = new DedicatedThreadsExecutor("test", threads, high: false);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var ran = new ManualResetEventSlim();
        executor.Execute(new ActionRunnable(() => { started.Set(); release.Wait(); }));
        started.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        executor.Execute(new ActionRunnable(ran.Set));
        ran.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the sleeping thread looks at the queue on its own");
        release.IsSet.Should().BeFalse();
        release.Set();
        threads.RemoveUser();
    }

    [Fact]
    public async Task A_shared_pool_stops_when_its_last_dispatcher_shuts_down()
    {
        var system = ActorSystem.Create("dispatch-shared", ConfigurationFactory.ParseString("akka.actor.provider = local"));
        try
        {
            var prerequisites = ((ExtendedActorSystem)system).Dispatchers.Prerequisites;
            ExecutorService Produce(string id, string priority) => new DedicatedThreadsExecutorConfigurator(
                ConfigurationFactory.ParseString($"id = {id}\ndedicated-threads {{ pool = shared, thread-count = 1, priority = {priority} }}"),
                prerequisites).Produce(id);
            var first = Produce("first", "high");
            var second = Produce("second", "normal");
            first.Shutdown();
            using var ran = new ManualResetEventSlim();
            second.Execute(new ActionRunnable(ran.Set));
            ran.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the pool still has a dispatcher");
            second.Shutdown();
            var rejected = () => second.Execute(new ActionRunnable(() => { }));
            rejected.Should().Throw<RejectedExecutionException>().WithMessage("*second*shut down*");

            var third = Produce("third", "normal"); // a new set of threads for the pool
            using var ranAgain = new ManualResetEventSlim();
            third.Execute(new ActionRunnable(ranAgain.Set));
            ranAgain.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
            third.Shutdown();
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Every_task_runs_exactly_once_and_a_failing_one_costs_no_thread()
    {
        var system = ActorSystem.Create("dispatch-events", ConfigurationFactory.ParseString("akka.actor.provider = local"));
        try
        {
            var threads = Threads(2, system.EventStream);
            var executor = new DedicatedThreadsExecutor("test", threads, high: false);
            var ran = new int[1_000];
            var failures = 0;
            using var allDone = new CountdownEvent(ran.Length);
            for (var i = 0; i < ran.Length; i++)
            {
                var n = i;
                executor.Execute(new ActionRunnable(() =>
                {
                    Interlocked.Increment(ref ran[n]);
                    allDone.Signal();
                    if (n % 100 == 0)
                    {
                        Interlocked.Increment(ref failures);
                        throw new InvalidOperationException("a failing task");
                    }
                }));
            }
            allDone.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("two live threads run every task");
            ran.Should().OnlyContain(count => count == 1);
            failures.Should().Be(10);

            executor.Shutdown();
            var rejected = () => executor.Execute(new ActionRunnable(() => { }));
            rejected.Should().Throw<RejectedExecutionException>().WithMessage("*test*shut down*");
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Theory]
    [InlineData("dedicated-threads.thread-count = 0", "dedicated-threads.thread-count of dispatcher bad-dispatcher must be between 1 and 64, got 0.")]
    [InlineData("dedicated-threads { thread-count = 1, priority = urgent }", "dedicated-threads.priority of dispatcher bad-dispatcher must be high or normal, got 'urgent'.")]
    public async Task A_bad_setting_is_refused_in_one_sentence(string setting, string error)
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(KvConfig.Reference);
        var system = ActorSystem.Create("dispatch-bad", config);
        var bad = ConfigurationFactory.ParseString("id = bad-dispatcher\n" + setting);
        var create = () => new DedicatedThreadsExecutorConfigurator(bad, ((ExtendedActorSystem)system).Dispatchers.Prerequisites);
        try
        {
            create.Should().Throw<ConfigurationException>().WithMessage(error);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Dispatchers_of_one_pool_with_different_thread_counts_are_refused()
    {
        var system = ActorSystem.Create("dispatch-mismatch", ConfigurationFactory.ParseString("akka.actor.provider = local"));
        try
        {
            var prerequisites = ((ExtendedActorSystem)system).Dispatchers.Prerequisites;
            ExecutorService Produce(string id, int count) => new DedicatedThreadsExecutorConfigurator(
                ConfigurationFactory.ParseString($"id = {id}\ndedicated-threads {{ pool = p, thread-count = {count} }}"), prerequisites).Produce(id);
            var first = Produce("a", 2);
            var second = () => Produce("b", 3);
            second.Should().Throw<ConfigurationException>()
                .WithMessage("dedicated-threads.thread-count of dispatcher b is 3, but pool p has 2 threads; give every dispatcher of a pool the same count.");
            first.Shutdown();
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static DedicatedThreads Threads(int count, EventStream? events = null)
    {
        var threads = new DedicatedThreads("test", count, events ?? new EventStream(false));
        threads.TryAddUser();
        return threads;
    }

    private sealed class ThreadNameActor : ReceiveActor
    {
        public ThreadNameActor() => ReceiveAny(_ => Sender.Tell(Thread.CurrentThread.Name));
    }
}
