using System.Text;

namespace KvActors.Benchmarks.Store;

/// <summary>The store benchmark's data: 16-byte keys ("key:" and 12 digits) and 100-byte values.</summary>
public static class BenchKeys
{
    public const int KeyBytes = 16;
    public const int ValueBytes = 100;

    /// <summary>Key number <paramref name="i"/>, exactly <see cref="KeyBytes"/> ASCII bytes.</summary>
    public static byte[] Key(long i) => Encoding.ASCII.GetBytes($"key:{i:D12}");

    /// <summary>A value of <see cref="ValueBytes"/> random bytes (the same for every write of a run: its content does not matter to the store).</summary>
    public static byte[] Value(int seed)
    {
        var value = new byte[ValueBytes];
        new Random(seed).NextBytes(value);
        return value;
    }
}
