using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
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
    public async Task Every_task_runs_exactly_once_and_a_failing_one_costs_no_thread()
    {
        var system = ActorSystem.Create("dispatch-events", ConfigurationFactory.ParseString("akka.actor.provider = local"));
        try
        {
            var executor = new DedicatedThreadsExecutor("test", 2, system.EventStream);
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

    [Fact]
    public async Task A_thread_count_out_of_range_is_refused_in_one_sentence()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(KvConfig.Reference);
        var system = ActorSystem.Create("dispatch-bad", config);
        var bad = ConfigurationFactory.ParseString("id = bad-dispatcher\ndedicated-threads.thread-count = 0");
        var create = () => new DedicatedThreadsExecutorConfigurator(bad, ((ExtendedActorSystem)system).Dispatchers.Prerequisites);
        try
        {
            create.Should().Throw<ConfigurationException>().WithMessage("dedicated-threads.thread-count of dispatcher bad-dispatcher must be between 1 and 64, got 0.");
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class ThreadNameActor : ReceiveActor
    {
        public ThreadNameActor() => ReceiveAny(_ => Sender.Tell(Thread.CurrentThread.Name));
    }
}
