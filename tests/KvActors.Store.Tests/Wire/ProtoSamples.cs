using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace KvActors.Store.Tests.Wire;

/// <summary>A protobuf message with every field set to a recognisable non-default value, so a round trip shows each field survives.</summary>
public static class ProtoSamples
{
    public static IMessage Filled(MessageDescriptor descriptor, int depth = 0)
    {
        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            // Only the first member of a oneof: setting another would clear it.
            if (field.RealContainingOneof is { } oneof && oneof.Fields[0] != field) continue;
            if (field.IsMap)
            {
                var key = Value(field.MessageType.FindFieldByNumber(1), depth);
                var value = Value(field.MessageType.FindFieldByNumber(2), depth);
                if (key is not null && value is not null) ((IDictionary)field.Accessor.GetValue(message)).Add(key, value);
            }
            else if (Value(field, depth) is { } sample)
            {
                if (field.IsRepeated) ((IList)field.Accessor.GetValue(message)).Add(sample);
                else field.Accessor.SetValue(message, sample);
            }
        }
        return message;
    }

    private static object? Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.String => $"{field.Name}-sample",
        FieldType.Bool => true,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 40 + field.FieldNumber,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 1L << 40 | (uint)field.FieldNumber,
        FieldType.UInt32 or FieldType.Fixed32 => 50u + (uint)field.FieldNumber,
        FieldType.UInt64 or FieldType.Fixed64 => 1UL << 41 | (uint)field.FieldNumber,
        FieldType.Double => 1.5 + field.FieldNumber,
        FieldType.Float => 2.5f + field.FieldNumber,
        FieldType.Bytes => ByteString.CopyFromUtf8($"{field.Name}-bytes"),
        FieldType.Enum => field.EnumType.Values.Count > 1 ? Enum.ToObject(field.EnumType.ClrType, field.EnumType.Values[1].Number) : null,
        // Well-known types (wrappers, Timestamp...) map to other C# types: left unset rather than guessed.
        FieldType.Message when field.MessageType.File.Package == "google.protobuf" => null,
        FieldType.Message or FieldType.Group => depth < 3 ? Filled(field.MessageType, depth + 1) : null,
        _ => null,
    };
}
