using System.Globalization;
using System.Text.Json.Nodes;

namespace DealCopy.Host.Hooks;

/// <summary>One Digital Pipeline trigger hook as amoCRM posts it (API-NOTES §17.1); every value arrives as a string.</summary>
public sealed record DpHook(
    long AccountId,
    string? Subdomain,
    long LeadId,
    long PipelineId,
    long StatusId,
    int EventType,
    string? Direction,
    long EventTime,
    IReadOnlyDictionary<string, string> Settings);

/// <summary>Reads DP hooks: form-encoded with bracket keys, or the same structure as JSON. Pure.</summary>
public static class DpHookReader
{
    private const string SettingsPrefix = "action[settings][widget][settings][";

    /// <summary>
    /// The hook, or why it is refused (<c>Problem</c>, a 400), or why it is ignored with a 200 (<c>Ignored</c>:
    /// not a lead, not an entry into the stage — amoCRM must not see an error for hooks we do not act on).
    /// </summary>
    public static (DpHook? Hook, string? Problem, string? Ignored) Read(IReadOnlyDictionary<string, string> f)
    {
        string? Get(string key) => f.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var missing = new[] { "account_id", "event[type]", "event[data][id]", "event[data][element_type]" }.Where(k => Get(k) is null).ToList();
        if (missing.Count > 0) return (null, "missing " + string.Join(", ", missing), null);
        if (!Long(Get("account_id"), out var accountId) || accountId <= 0) return (null, "account_id must be a positive integer", null);
        if (!int.TryParse(Get("event[type]"), NumberStyles.None, CultureInfo.InvariantCulture, out var type)) return (null, "event[type] must be a number", null);
        if (Get("event[data][element_type]") != "2") return (null, null, $"element_type {Get("event[data][element_type]")} is not a lead");
        var direction = Get("event[data][direction_of_movement]");
        var acts = type switch
        {
            14 => direction != "went_from_trigger",   // the lead entered the trigger stage
            15 => direction == "went_in_trigger",     // moved inside a stretched trigger
            _ => false,
        };
        if (!acts) return (null, null, $"event {type} ({direction ?? "no direction"}) does not start a repeat deal");
        if (!Long(Get("event[data][id]"), out var leadId) || leadId <= 0) return (null, "event[data][id] must be a positive integer", null);
        if (!Long(Get("event[data][pipeline_id]"), out var pipelineId) || pipelineId <= 0) return (null, "event[data][pipeline_id] must be a positive integer", null);
        if (!Long(Get("event[data][status_id]"), out var statusId) || statusId <= 0) return (null, "event[data][status_id] must be a positive integer", null);
        if (!Long(Get("event[time]"), out var time) || time <= 0) return (null, "event[time] must be a Unix time", null);
        var settings = f.Where(kv => kv.Key.StartsWith(SettingsPrefix, StringComparison.Ordinal) && kv.Key.EndsWith(']'))
            .ToDictionary(kv => kv.Key[SettingsPrefix.Length..^1], kv => kv.Value);
        return (new DpHook(accountId, Get("subdomain"), leadId, pipelineId, statusId, type, direction, time, settings), null, null);
    }

    /// <summary>The JSON form of a hook as bracket keys, so that both forms are read the same way.</summary>
    public static Dictionary<string, string> Flatten(JsonNode? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string prefix)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o) Walk(v, prefix.Length == 0 ? k : $"{prefix}[{k}]");
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Walk(a[i], $"{prefix}[{i}]");
                    break;
                case JsonValue v:
                    result[prefix] = v.TryGetValue<string>(out var s) ? s : v.ToJsonString();
                    break;
            }
        }
        Walk(json, "");
        return result;
    }

    private static bool Long(string? s, out long value) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
