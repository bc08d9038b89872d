using System.Text;

namespace KvActors.Resp.Protocol;

/// <summary>One request as the client sent it: the command name and its arguments, each an owned copy of its bytes.</summary>
/// <remarks>Not sealed for <see cref="OversizedCommand"/> alone: every other command carries nothing more.</remarks>
public class RespCommand
{
    private string? _name;

    public RespCommand(byte[][] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length == 0) throw new ArgumentException("A command has at least its name.", nameof(arguments));
        Arguments = arguments;
    }

    /// <summary>Every argument, the command name first.</summary>
    public byte[][] Arguments { get; }

    public int Count => Arguments.Length;

    public byte[] this[int index] => Arguments[index];

    /// <summary>The command name in upper case (Redis command names are ASCII and case-insensitive).</summary>
    public string Name => _name ??= Encoding.UTF8.GetString(Arguments[0]).ToUpperInvariant();

    /// <summary>Argument <paramref name="index"/> as UTF-8 text.</summary>
    public string Text(int index) => Encoding.UTF8.GetString(Arguments[index]);

    /// <summary>Argument <paramref name="index"/> in upper case, for options and subcommands.</summary>
    public string Upper(int index) => Text(index).ToUpperInvariant();

    public static RespCommand Of(params string[] arguments) => new(arguments.Select(Encoding.UTF8.GetBytes).ToArray());

    public override string ToString() => string.Join(' ', Arguments.Select(a => Encoding.UTF8.GetString(a)));
}
