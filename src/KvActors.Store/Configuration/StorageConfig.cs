using KvActors.Storage;

namespace KvActors.Store.Configuration;

/// <summary>Binds <c>kvactors.storage.*</c> and <c>kvactors.node.data-dir</c> to the storage engine's plain options.</summary>
public static class StorageConfig
{
    public static StorageSettings From(SettingReader read)
    {
        const string s = StorageSettings.Section;
        var settings = new StorageSettings
        {
            DataDir = read.GetString(StorageSettings.DataDirKey),
            Fsync = StorageSettings.ParseFsync(read.GetChoice($"{s}.fsync", "always", "everysec", "never")),
            SegmentSize = read.GetBytes($"{s}.segment-size"),
            MaxKeySize = Int(read, $"{s}.max-key-size"),
            MaxValueSize = Int(read, $"{s}.max-value-size"),
            Repair = read.GetBool($"{s}.repair"),
            MappedSegments = read.GetBool($"{s}.mapped-segments"),
        };
        try
        {
            return settings.Validated();
        }
        catch (ArgumentException e)
        {
            // The engine's message names the key; say where its value came from.
            var key = e.Message.Split(' ')[0];
            throw new ConfigException($"{read.Layered.SourceOf(key)}: {e.Message}", e);
        }
    }

    private static int Int(SettingReader read, string key)
    {
        var bytes = read.GetBytes(key);
        return bytes <= int.MaxValue ? (int)bytes : throw read.Layered.Error(key, $"expected at most 2 GiB, got {bytes} bytes.");
    }
}
