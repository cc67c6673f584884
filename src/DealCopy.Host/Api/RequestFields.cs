using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.Actors.Protocol;

namespace DealCopy.Host.Api;

/// <summary>
/// The problems found while reading a request body, one per field (docs/API.md "Codes"): a required field that is
/// absent (<c>request.missing_field</c>), a value of the wrong JSON type (<c>request.wrong_type</c>, never read as
/// the default), a value out of range or not one of the allowed words (<c>request.invalid_field</c>), and a field
/// the API does not know (<c>request.unknown_field</c>). The first problem of a field wins.
/// </summary>
public sealed class RequestFields
{
    private readonly List<Refusal> _refusals = [];
    private readonly HashSet<string> _fields = new(StringComparer.Ordinal);

    public bool Any => _refusals.Count > 0;

    public IReadOnlyList<Refusal> Refusals => _refusals;

    /// <summary>Field → English text (the first problem of each field).</summary>
    public Dictionary<string, string> Errors => Refusal.ErrorsOf(_refusals).ToDictionary(StringComparer.Ordinal);

    public bool Has(string field) => _fields.Contains(field);

    public void Add(Refusal refusal)
    {
        if (_fields.Add(refusal.Field)) _refusals.Add(refusal);
    }

    public void Missing(string field, string message) => Add(Refusal.Of(field, "request.missing_field", message, ("field", field)));

    public void WrongType(string field, string expected, JsonNode? given, string message) =>
        Add(Refusal.Of(field, "request.wrong_type", $"{message} (got {KindOf(given)})", ("field", field), ("expected", expected), ("given", KindOf(given))));

    public void Invalid(string field, string message) => Add(Refusal.Of(field, "request.invalid_field", message, ("field", field)));

    public void Unknown(string field) => Add(Refusal.Of(field, "request.unknown_field", "unknown field", ("field", field)));

    /// <summary>Every problem again under <paramref name="prefix"/> (a rule's fields are <c>rule.*</c>).</summary>
    public void AddAll(IEnumerable<Refusal> refusals, string prefix)
    {
        foreach (var r in refusals)
        {
            var field = r.Field.Length == 0 ? prefix.TrimEnd('.') : prefix + r.Field;
            var parameters = r.Params.ToDictionary(StringComparer.Ordinal);
            if (parameters.ContainsKey("field")) parameters["field"] = field;
            Add(r with { Field = field, Params = parameters });
        }
    }

    /// <summary>The JSON type of a value as the refusals name it: object, array, string, number, boolean, null.</summary>
    public static string KindOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    public static bool IsString(JsonNode? n, out string value)
    {
        value = "";
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out value!);
    }

    public static bool IsNumber(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    public static bool IsBoolean(JsonNode? n, out bool value)
    {
        value = false;
        if (n is not JsonValue v || v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) return false;
        value = v.GetValue<bool>();
        return true;
    }

    /// <summary>A whole number that fits a long (1.5, 1e300 and -0.5 do not).</summary>
    public static bool IsLong(JsonNode? n, out long value)
    {
        value = 0;
        return IsNumber(n) && ((JsonValue)n!).TryGetValue(out value);
    }
}
