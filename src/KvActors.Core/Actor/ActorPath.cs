using System.Text;

namespace KvActors.Actor;

/// <summary>
/// The unique name of an actor in a tree of actors: an address and a chain of names.
/// A path carries the uid of one incarnation of the actor (0 = any), so a ref to a stopped
/// actor never reaches a new actor that reuses its name.
/// </summary>
public abstract class ActorPath : IEquatable<ActorPath>, IComparable<ActorPath>
{
    public const long UndefinedUid = 0;

    protected ActorPath(string name, long uid)
    {
        Name = name;
        Uid = uid;
    }

    public string Name { get; }
    public long Uid { get; }
    public abstract Address Address { get; }
    public abstract ActorPath Parent { get; }
    public abstract RootActorPath Root { get; }
    public abstract int Depth { get; }

    public ActorPath Child(string name) => new ChildActorPath(this, name, UndefinedUid);
    public static ActorPath operator /(ActorPath path, string name) => path.Child(name);

    public abstract ActorPath WithUid(long uid);

    /// <summary>The names from the root down, without the root.</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var names = new string[Depth];
            ActorPath p = this;
            for (var i = names.Length - 1; i >= 0; i--, p = p.Parent) names[i] = p.Name;
            return names;
        }
    }

    /// <summary>The path without the address: "/user/a/b".</summary>
    public string ToStringWithoutAddress()
    {
        if (Depth == 0) return "/";
        var sb = new StringBuilder();
        foreach (var e in Elements) sb.Append('/').Append(e);
        return sb.ToString();
    }

    public string ToStringWithAddress(Address address) => address + ToStringWithoutAddress();

    /// <summary>Full path with the uid appended as "#uid" when defined: the form used on the wire.</summary>
    public string ToSerializationFormat() => Uid == UndefinedUid ? ToString() : $"{this}#{Uid}";

    public override string ToString() => Address + ToStringWithoutAddress();

    /// <summary>Parses "protocol://system[@host:port]/a/b[#uid]".</summary>
    public static bool TryParse(string text, out ActorPath path)
    {
        path = null!;
        long uid = UndefinedUid;
        var hash = text.LastIndexOf('#');
        if (hash >= 0)
        {
            if (!long.TryParse(text.AsSpan(hash + 1), out uid)) return false;
            text = text[..hash];
        }
        if (!Address.TryParse(text, out var address)) return false;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = text.IndexOf('/', schemeEnd);
        ActorPath current = new RootActorPath(address);
        if (slash >= 0)
        {
            foreach (var element in text[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries))
                current = current.Child(element);
        }
        path = uid == UndefinedUid ? current : current.WithUid(uid);
        return true;
    }

    public static ActorPath Parse(string text) =>
        TryParse(text, out var p) ? p : throw new FormatException($"'{text}' is not an actor path (expected protocol://system@host:port/user/name).");

    // Equality ignores the uid, like Akka: two paths name the same place.
    public bool Equals(ActorPath? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || Depth != other.Depth) return false;
        ActorPath a = this, b = other;
        while (a.Depth > 0)
        {
            if (!string.Equals(a.Name, b.Name, StringComparison.Ordinal)) return false;
            a = a.Parent;
            b = b.Parent;
        }
        return a.Address.Equals(b.Address);
    }

    public override bool Equals(object? obj) => obj is ActorPath p && Equals(p);

    public override int GetHashCode()
    {
        var h = new HashCode();
        for (ActorPath p = this; p.Depth > 0; p = p.Parent) h.Add(p.Name, StringComparer.Ordinal);
        h.Add(Address);
        return h.ToHashCode();
    }

    public int CompareTo(ActorPath? other) =>
        other is null ? 1 : string.CompareOrdinal(ToString(), other.ToString());

    public static bool operator ==(ActorPath? a, ActorPath? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(ActorPath? a, ActorPath? b) => !(a == b);
}

public sealed class RootActorPath : ActorPath
{
    public RootActorPath(Address address) : base("/", UndefinedUid) => Address = address;

    public override Address Address { get; }
    public override ActorPath Parent => this;
    public override RootActorPath Root => this;
    public override int Depth => 0;
    public override ActorPath WithUid(long uid) =>
        uid == UndefinedUid ? this : throw new InvalidOperationException("A root path has no uid.");
}

public sealed class ChildActorPath : ActorPath
{
    private readonly ActorPath _parent;

    public ChildActorPath(ActorPath parent, string name, long uid) : base(name, uid)
    {
        _parent = parent;
        Depth = parent.Depth + 1;
    }

    public override Address Address => Root.Address;
    public override ActorPath Parent => _parent;
    public override RootActorPath Root => _parent.Root;
    public override int Depth { get; }
    public override ActorPath WithUid(long uid) => uid == Uid ? this : new ChildActorPath(_parent, Name, uid);
}
