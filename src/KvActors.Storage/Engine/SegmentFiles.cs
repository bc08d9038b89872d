using KvActors.Storage.Format;

namespace KvActors.Storage.Engine;

/// <summary>Small file helpers for segments: listing in log order, reading a prefix, truncating durably.</summary>
public static class SegmentFiles
{
    public static List<(long Index, string Path)> List(string walDirectory)
    {
        var list = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(walDirectory))
        {
            if (SegmentFormat.TryParseFileName(Path.GetFileName(path), out var index)) list.Add((index, path));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    /// <summary>
    /// Reads the bytes from <paramref name="from"/> up to <paramref name="length"/> (or the end of the file) into
    /// <paramref name="buffer"/>, growing it; returns how many.
    /// </summary>
    public static int Read(string path, ref byte[] buffer, long length = -1, long from = 0)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var size = Math.Max(0, (length >= 0 ? length : RandomAccess.GetLength(handle)) - from);
        if (size > Array.MaxLength) throw new IOException($"log segment {path} is too large to read ({size} bytes).");
        if (buffer.Length < size) buffer = new byte[size];
        var total = 0;
        while (total < size)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(total, (int)size - total), from + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }
}
