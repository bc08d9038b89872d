using System.Buffers;

namespace KvActors.Remote.Serialization;

/// <summary>
/// Turns messages into bytes and back. Identified on the wire by <see cref="Id"/>; the manifest
/// is a per-message type hint the serializer chooses. Implementations must be thread-safe.
/// </summary>
public interface ISerializer
{
    /// <summary>Wire id; unique per registry. 0 is reserved; 1-99 belong to KvActors itself.</summary>
    int Id { get; }
    /// <summary>True when this serializer handles messages of <paramref name="type"/>.</summary>
    bool CanSerialize(Type type);
    /// <summary>Writes <paramref name="message"/> to <paramref name="writer"/>, returns its manifest.</summary>
    string ToBinary(object message, IBufferWriter<byte> writer);
    /// <summary>Reads a message; throws on bytes or a manifest it does not understand.</summary>
    object FromBinary(ReadOnlySpan<byte> bytes, string manifest);
}

/// <summary>A payload could not be turned back into a message (unknown id or manifest, bad bytes).</summary>
public sealed class SerializationException(string message, Exception? inner = null) : Exception(message, inner);
