using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KvActors.Remote.Serialization;

/// <summary>
/// string, byte[], int, long, bool and double payloads: enough for tests, pings and simple
/// protocols without a .proto. Manifest is one letter naming the type.
/// </summary>
public sealed class PrimitiveSerializer : ISerializer
{
    public const int Identifier = 1;
    public int Id => Identifier;

    public bool CanSerialize(Type type) =>
        type == typeof(string) || type == typeof(byte[]) || type == typeof(int) || type == typeof(long)
        || type == typeof(bool) || type == typeof(double);

    public string ToBinary(object message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case string s:
            {
                var n = Encoding.UTF8.GetByteCount(s);
                Encoding.UTF8.GetBytes(s, writer.GetSpan(n));
                writer.Advance(n);
                return "S";
            }
            case byte[] b:
                writer.Write(b);
                return "B";
            case int i:
                BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), i);
                writer.Advance(4);
                return "I";
            case long l:
                BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), l);
                writer.Advance(8);
                return "L";
            case bool z:
                writer.GetSpan(1)[0] = z ? (byte)1 : (byte)0;
                writer.Advance(1);
                return "Z";
            case double d:
                BinaryPrimitives.WriteDoubleLittleEndian(writer.GetSpan(8), d);
                writer.Advance(8);
                return "D";
            default:
                throw new SerializationException($"PrimitiveSerializer cannot serialize {message.GetType().FullName}.");
        }
    }

    public object FromBinary(ReadOnlySpan<byte> bytes, string manifest) => manifest switch
    {
        "S" => Encoding.UTF8.GetString(bytes),
        "B" => bytes.ToArray(),
        "I" when bytes.Length == 4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        "L" when bytes.Length == 8 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        "Z" when bytes.Length == 1 => bytes[0] != 0,
        "D" when bytes.Length == 8 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        _ => throw new SerializationException($"PrimitiveSerializer cannot read manifest '{manifest}' from {bytes.Length} bytes."),
    };
}
