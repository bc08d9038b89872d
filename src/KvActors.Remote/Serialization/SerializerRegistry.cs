using System.Collections.Concurrent;

namespace KvActors.Remote.Serialization;

/// <summary>
/// Maps serializer ids to serializers (inbound) and message types to serializers (outbound).
/// Modules register their own; lookups by type are cached after the first hit.
/// </summary>
public sealed class SerializerRegistry
{
    private readonly ConcurrentDictionary<int, ISerializer> _byId = new();
    private readonly List<ISerializer> _ordered = new(); // later registrations win
    private readonly ConcurrentDictionary<Type, ISerializer?> _byType = new();
    private readonly object _lock = new();

    /// <summary>A registry with the built-in serializers: primitives (1) and protobuf (2).</summary>
    public static SerializerRegistry CreateDefault()
    {
        var r = new SerializerRegistry();
        r.Register(new PrimitiveSerializer());
        r.Register(new ProtobufSerializer());
        return r;
    }

    public void Register(ISerializer serializer)
    {
        if (serializer.Id == 0) throw new ArgumentException("serializer id 0 is reserved.");
        lock (_lock)
        {
            if (_byId.TryGetValue(serializer.Id, out var existing) && existing.GetType() != serializer.GetType())
                throw new ArgumentException($"serializer id {serializer.Id} is already taken by {existing.GetType().Name}.");
            _byId[serializer.Id] = serializer;
            _ordered.RemoveAll(s => s.Id == serializer.Id);
            _ordered.Add(serializer);
            _byType.Clear();
        }
    }

    public bool TryGet(int id, out ISerializer serializer) => _byId.TryGetValue(id, out serializer!);

    /// <summary>The serializer for <paramref name="message"/>'s type, or throws naming the type.</summary>
    public ISerializer FindFor(object message)
    {
        var type = message.GetType();
        var s = _byType.GetOrAdd(type, static (t, self) => self.Resolve(t), this);
        return s ?? throw new SerializationException($"no serializer registered for message type {type.FullName}.");
    }

    private ISerializer? Resolve(Type type)
    {
        lock (_lock)
        {
            for (var i = _ordered.Count - 1; i >= 0; i--)
                if (_ordered[i].CanSerialize(type)) return _ordered[i];
            return null;
        }
    }
}
