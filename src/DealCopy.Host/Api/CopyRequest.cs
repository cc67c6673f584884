using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;

namespace DealCopy.Host.Api;

/// <summary>
/// Reads the body of <c>POST /api/v1/copies</c> (docs/API.md) into a job spec, or names every field
/// that is wrong. Pure: the account-dependent checks (stages, users, deals) happen in the account actor.
/// </summary>
public static class CopyRequest
{
    public const int MaxLeads = 500;
    public const int MaxCopies = 50;
    private static readonly HashSet<string> TopLevel = ["lead_ids", "copies", "target", "responsible", "name_template", "copy", "original", "idempotency_key"];
    private static readonly HashSet<string> CopyKeys = ["fields", "price", "contacts", "company", "tags", "products", "notes", "open_tasks", "finished_tasks"];

    public sealed record Parsed(CopyJobSpec? Spec, Dictionary<string, string> Errors);

    public static Parsed Parse(JsonNode? body, long requestedBy)
    {
        var errors = new Dictionary<string, string>();
        if (body is not JsonObject o) return new Parsed(null, new() { [""] = "the body must be a JSON object" });
        foreach (var key in o.Select(kv => kv.Key).Where(k => !TopLevel.Contains(k))) errors[key] = "unknown field";

        var leadIds = new List<long>();
        if (o["lead_ids"] is not JsonArray ids) errors["lead_ids"] = "required: an array of deal ids";
        else if (ids.Count is 0 or > MaxLeads) errors["lead_ids"] = $"from 1 to {MaxLeads} deal ids";
        else
            for (var i = 0; i < ids.Count; i++)
            {
                if (!PositiveLong(ids[i], out var id)) errors[$"lead_ids[{i}]"] = "must be a positive integer";
                else if (leadIds.Contains(id)) errors[$"lead_ids[{i}]"] = $"deal {id} is listed twice";
                else leadIds.Add(id);
            }

        var copies = 1;
        if (o["copies"] is { } c && (!Int(c, out copies) || copies is < 1 or > MaxCopies)) errors["copies"] = $"from 1 to {MaxCopies}";

        long pipelineId = 0;
        long? statusId = null;
        if (o["target"] is not JsonObject target) errors["target"] = "required: {\"pipeline_id\": ..., \"status_id\": ...}";
        else
        {
            if (!PositiveLong(target["pipeline_id"], out pipelineId)) errors["target.pipeline_id"] = "required: a pipeline id";
            if (target["status_id"] is { } s)
            {
                if (PositiveLong(s, out var sid)) statusId = sid;
                else errors["target.status_id"] = "must be a stage id (or null for the default stage)";
            }
        }

        var responsible = Responsible(o["responsible"], errors);
        var template = CopyOptions.DefaultNameTemplate;
        if (o["name_template"] is { } t)
        {
            if (t is JsonValue tv && tv.TryGetValue<string>(out var ts)) template = ts;
            else errors["name_template"] = "must be a string";
        }
        if (!errors.ContainsKey("name_template") && NameTemplate.Problem(template) is { } problem) errors["name_template"] = problem;

        var content = Content(o["copy"], errors);
        var original = Original(o["original"], errors);

        string? idempotencyKey = null;
        if (o["idempotency_key"] is { } k)
        {
            if (k is JsonValue kv && kv.TryGetValue<string>(out var ks) && ks.Length is > 0 and <= 200) idempotencyKey = ks;
            else errors["idempotency_key"] = "must be a string of 1..200 characters";
        }

        if (errors.Count > 0) return new Parsed(null, errors);
        var options = new CopyOptions(pipelineId, statusId, responsible!, template, content!, original!, copies);
        return new Parsed(new CopyJobSpec(leadIds, options, requestedBy, idempotencyKey), errors);
    }

    public const int MaxDelayMinutes = 366 * 24 * 60;

    /// <summary>A Digital Pipeline rule as the widget writes it into the DP settings (the copy options plus v, delay_minutes, skip_if_open).</summary>
    public sealed record Rule(CopyOptions? Options, int DelayMinutes, bool SkipIfOpen, Dictionary<string, string> Errors);

    public static Rule ParseRule(string? json)
    {
        JsonObject? o;
        try
        {
            o = string.IsNullOrWhiteSpace(json) ? null : JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            o = null;
        }
        if (o is null) return new Rule(null, 0, false, new() { ["rule"] = "the rule setting must be a JSON object (saved by the DealCopy widget)" });
        var errors = new Dictionary<string, string>();
        if (o["v"] is { } v && !(v is JsonValue vv && vv.TryGetValue<int>(out var version) && version == 1)) errors["rule.v"] = "unknown rule version";
        var delay = 0;
        if (o["delay_minutes"] is { } d && (!Int(d, out delay) || delay < 0 || delay > MaxDelayMinutes)) errors["rule.delay_minutes"] = $"from 0 to {MaxDelayMinutes}";
        var skip = false;
        if (o["skip_if_open"] is { } s)
        {
            if (s is JsonValue sv && sv.GetValueKind() is JsonValueKind.True or JsonValueKind.False) skip = sv.GetValue<bool>();
            else errors["rule.skip_if_open"] = "must be true or false";
        }
        var copy = (JsonObject)o.DeepClone();
        foreach (var key in new[] { "v", "delay_minutes", "skip_if_open" }) copy.Remove(key);
        copy["lead_ids"] = new JsonArray(JsonValue.Create(1L)); // a placeholder deal: the rule holds only the options
        var parsed = Parse(copy, 0);
        foreach (var (k, e) in parsed.Errors) errors["rule." + k] = e;
        return new Rule(errors.Count == 0 ? parsed.Spec!.Options : null, delay, skip, errors);
    }

    private static ResponsibleRule? Responsible(JsonNode? node, Dictionary<string, string> errors)
    {
        if (node is null) return ResponsibleRule.Keep;
        if (node is not JsonObject r)
        {
            errors["responsible"] = "must be an object {\"mode\": \"keep|fixed|round_robin\", \"user_ids\": [...]}";
            return null;
        }
        var mode = Str(r["mode"]) switch
        {
            null or "keep" => ResponsibleMode.Keep,
            "fixed" => ResponsibleMode.Fixed,
            "round_robin" => ResponsibleMode.RoundRobin,
            _ => (ResponsibleMode?)null,
        };
        if (mode is null)
        {
            errors["responsible.mode"] = "must be keep, fixed or round_robin";
            return null;
        }
        var users = new List<long>();
        if (r["user_ids"] is JsonArray ids)
            for (var i = 0; i < ids.Count; i++)
            {
                if (PositiveLong(ids[i], out var id)) users.Add(id);
                else errors[$"responsible.user_ids[{i}]"] = "must be a user id";
            }
        else if (r["user_ids"] is not null) errors["responsible.user_ids"] = "must be an array of user ids";
        if (mode == ResponsibleMode.Fixed && users.Count != 1) errors.TryAdd("responsible.user_ids", "fixed needs exactly one user id");
        if (mode == ResponsibleMode.RoundRobin && users.Count is 0 or > 100) errors.TryAdd("responsible.user_ids", "round_robin needs 1..100 user ids");
        return new ResponsibleRule(mode.Value, mode == ResponsibleMode.Keep ? [] : users);
    }

    private static CopyContent? Content(JsonNode? node, Dictionary<string, string> errors)
    {
        var all = CopyContent.Everything;
        if (node is null) return all;
        if (node is not JsonObject c)
        {
            errors["copy"] = "must be an object";
            return null;
        }
        foreach (var key in c.Select(kv => kv.Key).Where(k => !CopyKeys.Contains(k))) errors[$"copy.{key}"] = "unknown field";
        var allFields = true;
        var fieldIds = new List<long>();
        switch (c["fields"])
        {
            case null:
                break;
            case JsonValue v when v.TryGetValue<string>(out var s) && s is "all" or "none":
                allFields = s == "all";
                break;
            case JsonArray ids:
                allFields = false;
                for (var i = 0; i < ids.Count; i++)
                {
                    if (PositiveLong(ids[i], out var id)) fieldIds.Add(id);
                    else errors[$"copy.fields[{i}]"] = "must be a field id";
                }
                break;
            default:
                errors["copy.fields"] = "must be \"all\", \"none\" or an array of field ids";
                break;
        }
        bool Flag(string name, bool fallback)
        {
            if (c[name] is null) return fallback;
            if (c[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
            errors[$"copy.{name}"] = "must be true or false";
            return fallback;
        }
        return new CopyContent(allFields, fieldIds, Flag("price", all.Price), Flag("contacts", all.Contacts), Flag("company", all.Company),
            Flag("tags", all.Tags), Flag("products", all.Products), Flag("notes", all.Notes), Flag("open_tasks", all.OpenTasks), Flag("finished_tasks", all.FinishedTasks));
    }

    private static OriginalAction? Original(JsonNode? node, Dictionary<string, string> errors)
    {
        if (node is null) return OriginalAction.Leave;
        if (node is not JsonObject o)
        {
            errors["original"] = "must be an object {\"action\": \"leave|move|close_won|close_lost\"}";
            return null;
        }
        var mode = Str(o["action"]) switch
        {
            null or "leave" => OriginalMode.Leave,
            "move" => OriginalMode.Move,
            "close_won" => OriginalMode.CloseWon,
            "close_lost" => OriginalMode.CloseLost,
            _ => (OriginalMode?)null,
        };
        if (mode is null)
        {
            errors["original.action"] = "must be leave, move, close_won or close_lost";
            return null;
        }
        long? Id(string name)
        {
            if (o[name] is null) return null;
            if (PositiveLong(o[name], out var v)) return v;
            errors[$"original.{name}"] = "must be a positive integer";
            return null;
        }
        var pipeline = Id("pipeline_id");
        var status = Id("status_id");
        var lossReason = Id("loss_reason_id");
        if (mode == OriginalMode.Move && (pipeline is null || status is null))
            errors.TryAdd("original.status_id", "move needs pipeline_id and status_id");
        return new OriginalAction(mode.Value, pipeline, status, mode == OriginalMode.CloseLost ? lossReason : null);
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool PositiveLong(JsonNode? n, out long value)
    {
        value = 0;
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value) && value > 0;
    }

    private static bool Int(JsonNode n, out int value)
    {
        value = 0;
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }
}
