using Spectre.Console;

namespace KvActors.Cli.Output;

/// <summary>
/// The console kv writes tables to: colours and other ANSI codes only on a terminal, and never
/// when NO_COLOR is set (https://no-color.org), so piped output is plain text.
/// </summary>
public static class Terminal
{
    public static bool Plain =>
        Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static IAnsiConsole Create()
    {
        var plain = Plain;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });
    }
}
