using System.Globalization;
using Akka.Configuration;

namespace KvActors.Store.Configuration;

/// <summary>
/// Typed reads of settings that fail with one sentence naming the source and the key and what
/// was expected, never a .NET type name. Akka's getters throw FormatException or return defaults
/// for the wrong type; these check first.
/// </summary>
public sealed class SettingReader(LayeredConfig layered)
{
    public LayeredConfig Layered { get; } = layered;

    private Config Config => Layered.Config;

    public string GetString(string key)
    {
        var value = Raw(key);
        if (value.IsObject() || value.IsArray()) throw Layered.Error(key, "expected a string, got an object or a list.");
        return value.GetString() ?? "";
    }

    public int GetInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = GetString(key);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Layered.Error(key, $"expected an integer, got '{text}'.");
        if (value < min || value > max) throw Layered.Error(key, $"expected {min}..{max}, got {value}.");
        return value;
    }

    public bool GetBool(string key)
    {
        var text = GetString(key).ToLowerInvariant();
        return text switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Layered.Error(key, $"expected on or off, got '{text}'."),
        };
    }

    public TimeSpan GetDuration(string key, TimeSpan? min = null)
    {
        var text = GetString(key);
        TimeSpan value;
        try
        {
            value = Config.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Layered.Error(key, $"expected a duration such as 500ms or 5s, got '{text}'.");
        }
        if (min is { } floor && value < floor) throw Layered.Error(key, $"expected at least {floor.TotalMilliseconds} ms, got '{text}'.");
        return value;
    }

    public long GetBytes(string key)
    {
        var text = GetString(key);
        long? value;
        try
        {
            value = Config.GetByteSize(key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            value = null;
        }
        if (value is not { } bytes || bytes < 0) throw Layered.Error(key, $"expected a size such as 64KiB or 1MiB, got '{text}'.");
        return bytes;
    }

    public IReadOnlyList<string> GetStringList(string key)
    {
        var value = Raw(key);
        if (value.IsObject()) throw Layered.Error(key, "expected a list such as [\"a\", \"b\"], got an object.");
        // Akka's HOCON reports an empty list as neither array nor string.
        if (!value.IsArray() && value.IsString() && !string.IsNullOrEmpty(value.GetString()))
            throw Layered.Error(key, $"expected a list such as [\"a\", \"b\"], got '{value.GetString()}'.");
        if (!value.IsArray()) return [];
        return value.GetArray().Select(v => v.IsObject() || v.IsArray()
            ? throw Layered.Error(key, "expected a list of strings.")
            : v.GetString() ?? "").ToList();
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), returned lower-case.</summary>
    public string GetChoice(string key, params string[] choices)
    {
        var text = GetString(key).ToLowerInvariant();
        if (!choices.Contains(text)) throw Layered.Error(key, $"expected {Alternatives(choices)}, got '{text}'.");
        return text;
    }

    private Akka.Configuration.Hocon.HoconValue Raw(string key)
    {
        if (!LayeredConfig.SafeHasPath(Config, key)) throw Layered.Error(key, "is missing (reference.conf defines it; was it set to null?).");
        return Config.GetValue(key);
    }

    private static string Alternatives(string[] choices) =>
        choices.Length == 1 ? choices[0] : string.Join(", ", choices[..^1]) + " or " + choices[^1];
}
