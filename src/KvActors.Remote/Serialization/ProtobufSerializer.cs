using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;

namespace KvActors.Remote.Serialization;

/// <summary>
/// Any Google.Protobuf message, manifest = its CLR type full name. Every internal protocol of
/// KvActors uses this. Types are resolved by name only among loaded assemblies and only if they
/// are protobuf messages, so the wire cannot make us instantiate arbitrary types.
/// </summary>
public sealed class ProtobufSerializer : ISerializer
{
    public const int Identifier = 2;
    private readonly ConcurrentDictionary<string, MessageParser> _parsers = new();

    public int Id => Identifier;

    public bool CanSerialize(Type type) => typeof(IMessage).IsAssignableFrom(type);

    /// <summary>Pre-registers a message type so it need not be looked up by name.</summary>
    public void Register<T>() where T : IMessage<T>, new() =>
        _parsers[typeof(T).FullName!] = new MessageParser<T>(() => new T());

    public string ToBinary(object message, IBufferWriter<byte> writer)
    {
        var m = (IMessage)message;
        m.WriteTo(writer);
        return message.GetType().FullName!;
    }

    public object FromBinary(ReadOnlySpan<byte> bytes, string manifest)
    {
        // Only found parsers are cached: a peer sending made-up manifests must not grow the cache.
        if (!_parsers.TryGetValue(manifest, out var parser))
        {
            parser = FindParser(manifest) ?? throw new SerializationException($"unknown protobuf manifest '{manifest}'.");
            _parsers[manifest] = parser;
        }
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SerializationException($"invalid protobuf payload for '{manifest}': {e.Message}", e);
        }
    }

    private static MessageParser? FindParser(string typeName)
    {
        foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (asm.IsDynamic) continue;
            var t = asm.GetType(typeName, throwOnError: false);
            if (t is null || !typeof(IMessage).IsAssignableFrom(t)) continue;
            return t.GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageParser;
        }
        return null;
    }
}
