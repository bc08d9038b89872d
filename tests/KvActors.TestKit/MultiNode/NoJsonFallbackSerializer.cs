using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace KvActors.TestKit.MultiNode;

/// <summary>
/// Akka sends a message type that has no serializer binding as Newtonsoft JSON, silently, and has
/// no switch to forbid that. Test nodes bind System.Object (the JSON fallback) to this serializer,
/// which refuses: a message of a spec that would cross the wire as JSON is dropped with Akka.Remote's
/// serialization error in the log, and the spec waiting for it fails. Messages that are bound (ours,
/// Akka's own, strings and other primitives) are not affected.
/// </summary>
public sealed class NoJsonFallbackSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public const int Id = 4099;

    public override int Identifier => Id;
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"{obj.GetType().FullName} has no serializer binding and would cross the wire as Newtonsoft JSON: bind it, or send a string or an Akka built-in.");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException($"A message of {type?.FullName ?? "unknown type"} arrived as the JSON fallback, which test nodes refuse.");
}
