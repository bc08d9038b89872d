namespace KvActors.Node.Startup;

/// <summary>What the command line asked for; null = not given (the config decides).</summary>
public sealed record NodeArguments
{
    public string? ConfigFile { get; init; }
    public string? Host { get; init; }
    public string? Port { get; init; }
    public string? Seeds { get; init; }
    public string? Name { get; init; }
    public string? DataDir { get; init; }
    public string? Certificate { get; init; }
    public string? RespPort { get; init; }

    /// <summary>The generic settings (-Dkey=value, --config-set key=value) as "key=value", in order.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];
}
