using System.Collections.Concurrent;
using System.Reflection;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace KvActors.Store.Wire;

/// <summary>
/// The one Akka serializer for our wire messages: every protobuf message (bound in reference.conf
/// to Google.Protobuf.IMessage) travels as its protobuf bytes with its protobuf full name as the
/// manifest, so the wire never carries .NET type names and survives renames of C# classes.
/// </summary>
public sealed class KvWireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Also set in reference.conf (akka.actor.serialization-identifiers); Akka reserves 0-100.</summary>
    public const int SerializerId = 4053;

    public override int Identifier => SerializerId;

    public override byte[] ToBinary(object obj) => obj switch
    {
        IMessage message => message.ToByteArray(),
        _ => throw new ArgumentException($"{nameof(KvWireSerializer)} serializes protobuf messages only, not {obj.GetType().Name}.", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => ProtoRegistry.ParserFor(manifest).ParseFrom(bytes);

    public override string Manifest(object o) => o switch
    {
        IMessage message => message.Descriptor.FullName,
        _ => throw new ArgumentException($"{nameof(KvWireSerializer)} serializes protobuf messages only, not {o.GetType().Name}.", nameof(o)),
    };
}

/// <summary>
/// Finds the parser of a protobuf message by its full name among the loaded assemblies. Only
/// names found are cached: a message from a newer peer whose assembly is not loaded yet is
/// looked up again next time rather than remembered as unknown.
/// </summary>
public static class ProtoRegistry
{
    private static readonly ConcurrentDictionary<string, MessageParser> Parsers = new(StringComparer.Ordinal);

    public static MessageParser ParserFor(string fullName)
    {
        if (Parsers.TryGetValue(fullName, out var parser)) return parser;
        foreach (var descriptor in AppDomain.CurrentDomain.GetAssemblies().SelectMany(MessageDescriptors))
            Parsers.TryAdd(descriptor.FullName, descriptor.Parser);
        return Parsers.TryGetValue(fullName, out parser)
            ? parser
            : throw new System.Runtime.Serialization.SerializationException($"Unknown wire message '{fullName}' (is the peer a different version?).");
    }

    /// <summary>The generated protobuf message types of <paramref name="assembly"/>.</summary>
    public static IEnumerable<Type> MessageTypes(Assembly assembly)
    {
        if (assembly.IsDynamic || !References(assembly, typeof(IMessage).Assembly)) return [];
        Type[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
        return types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMessage).IsAssignableFrom(t)
            && t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static) is not null);
    }

    private static IEnumerable<MessageDescriptor> MessageDescriptors(Assembly assembly) =>
        MessageTypes(assembly)
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null) as MessageDescriptor)
            .Where(d => d?.Parser is not null)!;

    private static bool References(Assembly assembly, Assembly target) =>
        assembly == target || assembly.GetReferencedAssemblies().Any(r => r.Name == target.GetName().Name);
}
