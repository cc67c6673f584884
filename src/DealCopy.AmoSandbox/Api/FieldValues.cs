using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>
/// Validates <c>custom_fields_values</c> the way amoCRM does (API-NOTES §7.3, §7.4) and turns the
/// write shape into the stored read shape. Errors are collected, never thrown, so that one request
/// reports every problem of every entity.
/// </summary>
public sealed class FieldValues(SandboxAccount account, SandboxOptions options)
{
    private static readonly HashSet<string> MultiValueTypes = ["multiselect", "multitext", "smart_address", "chained_list"];
    public static readonly string[] SmartAddressCodes = ["address_line_1", "address_line_2", "city", "state", "zip", "country"];

    /// <summary>Applies <paramref name="input"/> over <paramref name="existing"/>; returns the new read shape (null when empty).</summary>
    public JsonArray? Apply(IReadOnlyList<SandboxField> fields, JsonArray? existing, JsonNode? input, string path, List<FieldError> errors)
    {
        if (SandboxJson.IsNull(input)) return existing;
        if (input is not JsonArray items)
        {
            errors.Add(new("InvalidType", path, "This value should be of type array."));
            return existing;
        }
        if (items.Count == 0)
        {
            errors.Add(new("InvalidCount", path, "This collection should contain 1 element or more."));
            return existing;
        }
        var result = new List<JsonObject>();
        if (existing is not null) result.AddRange(existing.Select(n => (JsonObject)n!.DeepClone()));
        for (var i = 0; i < items.Count; i++)
        {
            var p = $"{path}.{i}";
            if (items[i] is not JsonObject item)
            {
                errors.Add(new("InvalidType", p, "This value should be of type object."));
                continue;
            }
            var field = Resolve(fields, item, p, errors);
            if (field is null) continue;
            if (field.IsComputed)
            {
                errors.Add(new("FieldNotExpected", $"{p}.field_id", "The field is computed and cannot be changed."));
                continue;
            }
            result.RemoveAll(r => r["field_id"]!.GetValue<long>() == field.Id);
            var valuesNode = item["values"];
            if (SandboxJson.IsNull(valuesNode)) continue; // values:null clears the field
            if (valuesNode is not JsonArray values || values.Count == 0)
            {
                errors.Add(new("InvalidType", $"{p}.values", "This value should be of type array."));
                continue;
            }
            var max = field.Type == "chained_list" ? 5 : MultiValueTypes.Contains(field.Type) ? int.MaxValue : 1;
            if (values.Count > max)
            {
                errors.Add(new("InvalidCount", $"{p}.values", $"This collection should contain {max} element or less."));
                continue;
            }
            var normalized = new JsonArray();
            var before = errors.Count;
            for (var j = 0; j < values.Count; j++)
            {
                var v = Value(field, values[j], $"{p}.values.{j}", errors);
                if (v is not null) normalized.Add(v);
            }
            if (errors.Count > before) continue;
            var read = new JsonObject
            {
                ["field_id"] = field.Id,
                ["field_name"] = field.Name,
                ["field_code"] = field.Code,
                ["field_type"] = field.Type,
                ["values"] = normalized,
            };
            result.Add(read);
        }
        return result.Count == 0 ? null : new JsonArray(result.OrderBy(r => fields.ToList().FindIndex(f => f.Id == r["field_id"]!.GetValue<long>())).Select(JsonNode (r) => r).ToArray());
    }

    private static SandboxField? Resolve(IReadOnlyList<SandboxField> fields, JsonObject item, string p, List<FieldError> errors)
    {
        if (item["field_id"] is { } idNode)
        {
            if (!SandboxJson.TryGetLong(idNode, out var id))
            {
                errors.Add(new("InvalidType", $"{p}.field_id", "This value should be of type int."));
                return null;
            }
            var f = fields.FirstOrDefault(x => x.Id == id);
            if (f is null) errors.Add(new("NotSupportedChoice", $"{p}.field_id", "The value you selected is not a valid choice."));
            return f;
        }
        if (SandboxJson.TryGetString(item["field_code"], out var code))
        {
            var f = fields.FirstOrDefault(x => string.Equals(x.Code, code, StringComparison.OrdinalIgnoreCase));
            if (f is null) errors.Add(new("NotSupportedChoice", $"{p}.field_code", "The value you selected is not a valid choice."));
            return f;
        }
        errors.Add(new("NotBlank", $"{p}.field_id", "This value should not be blank."));
        return null;
    }

    private JsonObject? Value(SandboxField field, JsonNode? node, string p, List<FieldError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new("InvalidType", p, "This value should be of type object."));
            return null;
        }
        var value = o["value"];
        var vp = $"{p}.value";
        switch (field.Type)
        {
            case "text" or "textarea" or "streetaddress" or "tracking_data":
            {
                if (!Text(value, out var s)) return Fail(errors, "InvalidType", vp, "This value should be of type string.");
                if (field.Type == "text" && s.Length > options.TextMaxLength)
                    return Fail(errors, "TooLong", vp, $"This value is too long. It should have {options.TextMaxLength} characters or less.");
                return new JsonObject { ["value"] = s };
            }
            case "numeric" or "monetary" or "price":
            {
                if (!Number(value, out var d)) return Fail(errors, "InvalidType", vp, "This value should be of type numeric.");
                return new JsonObject { ["value"] = d.ToString(CultureInfo.InvariantCulture) };
            }
            case "checkbox":
                if (value is not JsonValue b || b.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    return Fail(errors, "InvalidType", vp, "This value should be of type bool.");
                return new JsonObject { ["value"] = b.GetValue<bool>() };
            case "url":
                if (!SandboxJson.TryGetString(value, out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    return Fail(errors, "InvalidUrl", vp, "This value is not a valid URL.");
                return new JsonObject { ["value"] = url };
            case "date" or "date_time" or "birthday":
            {
                if (SandboxJson.TryGetLong(value, out var ts)) return new JsonObject { ["value"] = ts };
                if (SandboxJson.TryGetString(value, out var iso) && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var dto) && iso.Contains('T'))
                    return new JsonObject { ["value"] = dto.ToUnixTimeSeconds() };
                return Fail(errors, "InvalidType", vp, "This value should be a Unix timestamp or an RFC 3339 date.");
            }
            case "select" or "radiobutton" or "category" or "multiselect":
            {
                var e = Enum(field, o, p, errors);
                return e is null ? null : new JsonObject { ["value"] = e.Value, ["enum_id"] = e.Id, ["enum_code"] = e.Code };
            }
            case "multitext" or "smart_address":
            {
                if (!Text(value, out var s)) return Fail(errors, "InvalidType", vp, "This value should be of type string.");
                var e = o["enum_id"] is null && o["enum_code"] is null && field.Type == "multitext"
                    ? field.Enums.FirstOrDefault()
                    : Enum(field, o, p, errors, byLabel: false);
                return e is null ? null : new JsonObject { ["value"] = s, ["enum_id"] = e.Id, ["enum_code"] = e.Code };
            }
            case "legal_entity":
                if (value is not JsonObject le || !SandboxJson.TryGetString(le["name"], out var name) || name.Length == 0)
                    return Fail(errors, "NotBlank", $"{vp}.name", "This value should not be blank.");
                if (le["entity_type"] is { } et && !(SandboxJson.TryGetLong(et, out var t) && t is 1 or 2))
                    return Fail(errors, "NotSupportedChoice", $"{vp}.entity_type", "The value you selected is not a valid choice.");
                return new JsonObject { ["value"] = le.DeepClone() };
            case "chained_list":
            {
                if (!SandboxJson.TryGetLong(o["catalog_id"], out var catalogId) || !field.ChainedCatalogIds.Contains(catalogId))
                    return Fail(errors, "NotSupportedChoice", $"{p}.catalog_id", "The value you selected is not a valid choice.");
                if (!SandboxJson.TryGetLong(o["catalog_element_id"], out var elementId) ||
                    !account.CatalogElements.TryGetValue(elementId, out var el) || el.CatalogId != catalogId || el.IsDeleted)
                    return Fail(errors, "NotSupportedChoice", $"{p}.catalog_element_id", "The value you selected is not a valid choice.");
                return new JsonObject { ["catalog_id"] = catalogId, ["catalog_element_id"] = elementId };
            }
            case "file":
                if (value is not JsonObject file || !SandboxJson.TryGetString(file["file_uuid"], out var fu) || !Guid.TryParse(fu, out _))
                    return Fail(errors, "InvalidType", $"{vp}.file_uuid", "This value should be a file UUID.");
                return new JsonObject { ["value"] = file.DeepClone() };
            case "linked_entity":
                if (value is not JsonObject link || !SandboxJson.TryGetLong(link["entity_id"], out _) ||
                    !SandboxJson.TryGetString(link["entity_type"], out var let) || let is not ("contacts" or "companies" or "catalog_elements"))
                    return Fail(errors, "InvalidType", vp, "This value should be an object with entity_id and entity_type.");
                return new JsonObject { ["value"] = link.DeepClone() };
            default:
                if (value is null) return Fail(errors, "NotBlank", vp, "This value should not be blank.");
                return new JsonObject { ["value"] = value.DeepClone() };
        }
    }

    private static SandboxEnum? Enum(SandboxField field, JsonObject o, string p, List<FieldError> errors, bool byLabel = true)
    {
        SandboxEnum? e = null;
        if (o["enum_id"] is { } idNode)
        {
            e = SandboxJson.TryGetLong(idNode, out var id) ? field.Enums.FirstOrDefault(x => x.Id == id) : null;
            if (e is null) errors.Add(new("NotSupportedChoice", $"{p}.enum_id", "The value you selected is not a valid choice."));
            return e;
        }
        if (o["enum_code"] is { } codeNode)
        {
            e = SandboxJson.TryGetString(codeNode, out var code) ? field.Enums.FirstOrDefault(x => string.Equals(x.Code, code, StringComparison.OrdinalIgnoreCase)) : null;
            if (e is null) errors.Add(new("NotSupportedChoice", $"{p}.enum_code", "The value you selected is not a valid choice."));
            return e;
        }
        if (byLabel && SandboxJson.TryGetString(o["value"], out var label))
        {
            e = field.Enums.FirstOrDefault(x => x.Value == label);
            if (e is null) errors.Add(new("NotSupportedChoice", $"{p}.value", "The value you selected is not a valid choice."));
            return e;
        }
        errors.Add(new("NotBlank", $"{p}.enum_id", "This value should not be blank."));
        return null;
    }

    private static bool Text(JsonNode? node, out string s)
    {
        if (SandboxJson.TryGetString(node, out s)) return true;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) { s = v.ToJsonString(); return true; }
        return false;
    }

    private static bool Number(JsonNode? node, out decimal d)
    {
        d = 0;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.TryGetValue(out d) || decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
        return SandboxJson.TryGetString(node, out var s) && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    private static JsonObject? Fail(List<FieldError> errors, string code, string path, string detail)
    {
        errors.Add(new(code, path, detail));
        return null;
    }
}
