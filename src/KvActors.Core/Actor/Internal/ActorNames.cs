namespace KvActors.Actor.Internal;

/// <summary>Rules for actor names, shared by ActorOf and path parsing.</summary>
internal static class ActorNames
{
    private const string Allowed = "-_.*$+:@&=,!~';()%";
    private const string Base64Chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";

    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidActorNameException("An actor name must not be empty.");
        if (name[0] == '$')
            throw new InvalidActorNameException($"Actor name [{name}] must not start with '$' (reserved for generated names).");
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !Allowed.Contains(c))
                throw new InvalidActorNameException($"Actor name [{name}] contains '{c}': use ASCII letters, digits and {Allowed}.");
        }
    }

    /// <summary>A short name for anonymous actors: $a, $b, ... $ba.</summary>
    public static string Base64(long n)
    {
        Span<char> buf = stackalloc char[12];
        var i = buf.Length;
        do
        {
            buf[--i] = Base64Chars[(int)(n & 63)];
            n >>= 6;
        } while (n != 0);
        return new string(buf[i..]);
    }
}
