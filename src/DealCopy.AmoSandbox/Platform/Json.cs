using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>JSON settings and small JsonNode helpers shared by the amoCRM surface and the control API.</summary>
public static class SandboxJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static byte[] Utf8(JsonNode? node) => Encoding.UTF8.GetBytes(Serialize(node));

    /// <summary>Reads an integer that amoCRM clients may send as a number or a numeric string.</summary>
    public static bool TryGetLong(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v) return false;
        if (v.TryGetValue<long>(out value)) return true;
        if (v.TryGetValue<int>(out var i)) { value = i; return true; }
        if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) { value = (long)d; return true; }
        if (v.TryGetValue<decimal>(out var m) && m == decimal.Truncate(m)) { value = (long)m; return true; }
        return false;
    }

    public static bool TryGetString(JsonNode? node, out string value)
    {
        value = "";
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) { value = s; return true; }
        return false;
    }

    public static bool IsNull(JsonNode? node) => node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    public static JsonObject Links(string self) => new() { ["self"] = new JsonObject { ["href"] = self } };
}
