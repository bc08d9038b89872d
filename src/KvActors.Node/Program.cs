using KvActors.Actor;
using KvActors.Hocon;
using KvActors.Node.Admin;
using KvActors.Node.Hosting;
using KvActors.Node.Startup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// kvnode: parse flags and config first, so any mistake there is one sentence and exit code 2;
// then run the node in the generic host until the actor system terminates (exit code 0).
NodeArguments? arguments;
Config config;
NodeSettings settings;
try
{
    arguments = NodeCommandLine.Parse(args);
    if (arguments is null) return 0; // --help or --version
    config = NodeConfig.Build(arguments);
    settings = NodeSettings.From(config);
}
catch (Exception e) when (e is UsageException or HoconException)
{
    return Fail(e.Message);
}

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.AddConsole(o => o.FormatterName = NodeConsoleFormatter.FormatterName)
    .AddConsoleFormatter<NodeConsoleFormatter, NodeConsoleFormatterOptions>(o => o.NodeName = settings.Name)
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft", LogLevel.Warning);
// Coordinated shutdown phases may take up to about a minute in total; the host must not cut them short.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(2));
builder.Services.AddSingleton<IHostLifetime, ActorSystemLifetime>();
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(sp => ActorSystem.Create(settings.SystemName, config,
    new ActorSystemSetup { LoggerFactory = sp.GetRequiredService<ILoggerFactory>() }));
builder.Services.AddSingleton<IClusterAdmin>(sp => new ClusterAdmin(sp.GetRequiredService<ActorSystem>()));
builder.Services.AddHostedService<NodeService>();

using var host = builder.Build();
try
{
    host.Services.GetRequiredService<IClusterAdmin>(); // starts the actor system, binding the port
}
catch (Exception e)
{
    var cause = e is InvalidOperationException { InnerException: { } inner } && e.Message.Contains("activat", StringComparison.OrdinalIgnoreCase) ? inner : e;
    Console.Error.WriteLine($"kvnode: could not start the node: {Sentence(cause.Message)}");
    // A half-started system may hold threads that would keep the process alive.
    Environment.Exit(2);
}
await host.RunAsync().ConfigureAwait(false);
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"kvnode: {Sentence(message)}");
    return 2;
}

static string Sentence(string message)
{
    var line = message.ReplaceLineEndings(" ").Trim();
    return line.EndsWith('.') ? line : line + ".";
}
