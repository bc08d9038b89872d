using System.Globalization;
using System.Text;
using KvActors.Client;

namespace KvActors.Cli.Output;

/// <summary>
/// What the data commands print. Text: <c>OK PUT key [partition 17, epoch 5, primary h:p, replicas h:p, h:p]</c>,
/// <c>OK DELETE key [...]</c>, <c>NOT FOUND key</c>. JSON (one line, like <see cref="ClusterJson"/>):
/// <c>{"ok": true, "op": "put", "key": "k", "existed": false, "seq": 3, "partition": 17, "epoch": 5, "primary": "h:p", "replicas": ["h:p"]}</c>,
/// <c>{"key": "k", "found": true, "value": "v"}</c> (values as UTF-8 text).
/// </summary>
public static class DataText
{
    public static string Written(string op, string key, KvWriteResult result) => $"OK {op} {key} [{result.Placement}]";

    public static string NotFound(string key) => $"NOT FOUND {key}";

    public static string WrittenJson(string op, string key, KvWriteResult result)
    {
        var p = result.Placement;
        var sb = new StringBuilder();
        sb.Append("{\"ok\": true, \"op\": ").Append(ClusterJson.Str(op.ToLowerInvariant()))
          .Append(", \"key\": ").Append(ClusterJson.Str(key))
          .Append(", \"existed\": ").Append(result.Existed ? "true" : "false")
          .Append(", \"seq\": ").Append(result.Seq.ToString(CultureInfo.InvariantCulture))
          .Append(", \"partition\": ").Append(p.Partition.ToString(CultureInfo.InvariantCulture))
          .Append(", \"epoch\": ").Append(p.Epoch.ToString(CultureInfo.InvariantCulture))
          .Append(", \"primary\": ").Append(p.Primary is null ? "null" : ClusterJson.Str(p.Primary))
          .Append(", \"replicas\": [").Append(string.Join(", ", p.Replicas.Select(ClusterJson.Str))).Append("]}");
        return sb.ToString();
    }

    public static string ValueJson(string key, byte[]? value) =>
        value is null
            ? $"{{\"key\": {ClusterJson.Str(key)}, \"found\": false}}"
            : $"{{\"key\": {ClusterJson.Str(key)}, \"found\": true, \"value\": {ClusterJson.Str(Encoding.UTF8.GetString(value))}}}";
}
