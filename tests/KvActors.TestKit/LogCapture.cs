using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KvActors.TestKit;

/// <summary>One log event as a test sees it.</summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception)
{
    public override string ToString() => $"[{Level}] {Category}: {Message}{(Exception is null ? "" : " | " + Exception.GetType().Name + ": " + Exception.Message)}";
}

/// <summary>
/// A logger provider that records every event so tests can assert on logs, and copies them
/// to the xunit output (shown when a test fails).
/// </summary>
public sealed class LogCapture : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ITestOutputHelper? _output;
    private volatile bool _outputClosed;

    public LogCapture(ITestOutputHelper? output = null) => _output = output;

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public IEnumerable<LogEntry> Matching(LogLevel level, string contains) =>
        _entries.Where(e => e.Level == level && (e.Message.Contains(contains, StringComparison.Ordinal) || (e.Exception?.Message.Contains(contains, StringComparison.Ordinal) ?? false)));

    /// <summary>Stops copying to xunit output (it may not be written after the test ends).</summary>
    public void CloseOutput() => _outputClosed = true;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        if (_output is null || _outputClosed) return;
        try { _output.WriteLine(entry.ToString()); }
        catch (InvalidOperationException) { _outputClosed = true; } // the test already finished
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}
