using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DealCopy.AmoSandbox.Tests.Support;

/// <summary>
/// amoCRM's documented payloads, with their ids mapped into the sandbox. They are the repository's own copy of
/// shared/amocrm/examples (tests/DealCopy.AmoClient.Tests/Examples, see its README.md), copied to the test output,
/// so the tests do not need anything beside the repository.
/// </summary>
public static class Examples
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Examples");
        if (!File.Exists(Path.Combine(folder, "INDEX.md")))
            throw new DirectoryNotFoundException($"amoCRM's examples were not copied to the test output ({folder})");
        return folder;
    });

    public static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder.Value, name + ".json")))!;

    /// <summary>The example with every listed id (a whole number in the text) replaced by the sandbox's own.</summary>
    public static JsonNode Mapped(string name, IReadOnlyDictionary<long, long> ids)
    {
        var text = File.ReadAllText(Path.Combine(Folder.Value, name + ".json"));
        foreach (var (from, to) in ids)
            text = Regex.Replace(text, $@"(?<![\d.]){from}(?![\d.])", to.ToString(CultureInfo.InvariantCulture));
        return JsonNode.Parse(text)!;
    }

    /// <summary>The first item of a HAL list (<c>_embedded.{key}[0]</c>), the first element of an array, or the object itself.</summary>
    public static JsonObject Item(JsonNode answer)
    {
        if (answer is JsonArray array) return array[0]!.AsObject();
        var o = answer.AsObject();
        if (o["_embedded"] is JsonObject embedded && embedded.Count > 0 && embedded.First().Value is JsonArray list && !o.ContainsKey("id"))
            return list[0]!.AsObject();
        return o;
    }

    /// <summary>Keys amoCRM's example has that the sandbox's answer lacks.</summary>
    public static List<string> MissingKeys(JsonObject example, JsonObject actual) =>
        example.Select(kv => kv.Key).Where(k => !actual.ContainsKey(k)).ToList();
}
