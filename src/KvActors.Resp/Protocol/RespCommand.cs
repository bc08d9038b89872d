using System.Text;

namespace KvActors.Resp.Protocol;

/// <summary>
/// One request as the client sent it: the command name and its arguments, each an owned copy of its bytes; or, when one
/// argument was too long to keep (<see cref="Oversized"/>), the rest of them, to be answered with an error.
/// </summary>
public sealed class RespCommand
{
    private string? _name;

    public RespCommand(byte[][] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length == 0) throw new ArgumentException("A command has at least its name.", nameof(arguments));
        Arguments = arguments;
    }

    /// <summary>The first argument the parser read past as too long to keep (empty in <see cref="Arguments"/>); null for a whole command.</summary>
    public OversizedArgument? Oversized { get; init; }

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
