using System.Globalization;
using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Output;

/// <summary>One cluster event as one line of `kv cluster tail`.</summary>
public static class EventText
{
    public static string Time(ClusterEventMessage e) =>
        DateTimeOffset.FromUnixTimeMilliseconds(e.AtUnixMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Line(ClusterEventMessage e) =>
        $"{Time(e)} {e.Kind} {e.Address}" + (e.Detail.Length > 0 ? $" ({e.Detail})" : "");
}
