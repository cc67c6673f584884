using DealCopy.AmoClient.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Tests.Support;

/// <summary>The amoCRM documentation's example payloads (Examples/*.json, copied from shared/amocrm/examples).</summary>
internal static class Examples
{
    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", name + ".json"));

    public static JToken Json(string name) => AmoJson.Parse(Text(name));

    /// <summary>
    /// Asserts that every non-null value of <paramref name="original"/> is in <paramref name="written"/> at the same place
    /// (nulls may be dropped: amoCRM treats a missing field as unset). This is "the DTO loses nothing".
    /// </summary>
    public static void AssertPreserved(JToken original, JToken? written, string path = "$")
    {
        switch (original)
        {
            case JValue { Type: JTokenType.Null }:
                return;
            case JObject o:
                var wo = Assert.IsType<JObject>(written, exactMatch: false);
                foreach (var (key, value) in o)
                {
                    if (value is null || value.Type == JTokenType.Null)
                    {
                        continue;
                    }
                    Assert.True(wo.ContainsKey(key), $"{path}.{key} was lost (written: {Excerpt(wo)})");
                    AssertPreserved(value, wo[key], $"{path}.{key}");
                }
                return;
            case JArray a:
                var wa = Assert.IsType<JArray>(written, exactMatch: false);
                Assert.True(a.Count == wa.Count, $"{path}: {a.Count} items became {wa.Count}");
                for (var i = 0; i < a.Count; i++)
                {
                    AssertPreserved(a[i], wa[i], $"{path}[{i}]");
                }
                return;
            default:
                Assert.True(written is not null && (JToken.DeepEquals(original, written) || SameNumber(original, written)),
                    $"{path}: {original.ToString(Newtonsoft.Json.Formatting.None)} became {written?.ToString(Newtonsoft.Json.Formatting.None) ?? "nothing"}");
                return;
        }
    }

    // 10.0 and 10 are the same number to amoCRM
    private static bool SameNumber(JToken a, JToken b) =>
        a.Type is JTokenType.Integer or JTokenType.Float && b.Type is JTokenType.Integer or JTokenType.Float &&
        a.Value<decimal>() == b.Value<decimal>();

    private static string Excerpt(JToken t)
    {
        var s = t.ToString(Newtonsoft.Json.Formatting.None);
        return s.Length > 200 ? s[..200] + "…" : s;
    }
}
