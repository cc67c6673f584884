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

    /// <summary>The job spec, or every field problem (<see cref="Refusals"/>, with codes; <see cref="Errors"/> is field → English).</summary>
    public sealed record Parsed(CopyJobSpec? Spec, IReadOnlyList<Refusal> Refusals)
    {
        public Dictionary<string, string> Errors => Refusal.ErrorsOf(Refusals).ToDictionary(StringComparer.Ordinal);
    }

    public static Parsed Parse(JsonNode? body, long requestedBy)
    {
        var f = new RequestFields();
        if (body is not JsonObject o)
        {
            f.WrongType("", "object", body, "the body must be a JSON object");
            return new Parsed(null, f.Refusals);
        }
        foreach (var key in o.Select(kv => kv.Key).Where(k => !TopLevel.Contains(k))) f.Unknown(key);

        var leadIds = new List<long>();
        var leadSet = new HashSet<long>();
        switch (o["lead_ids"])
        {
            case null:
                f.Missing("lead_ids", "required: an array of deal ids");
                break;
            case JsonArray ids when ids.Count is 0 or > MaxLeads:
                f.Invalid("lead_ids", $"from 1 to {MaxLeads} deal ids");
                break;
            case JsonArray ids:
                for (var i = 0; i < ids.Count; i++)
                {
                    if (!PositiveId(f, $"lead_ids[{i}]", ids[i], "a deal id", out var id)) continue;
                    if (!leadSet.Add(id)) f.Invalid($"lead_ids[{i}]", $"deal {id} is listed twice");
                    else leadIds.Add(id);
                }
                break;
            case var other:
                f.WrongType("lead_ids", "array", other, "must be an array of deal ids");
                break;
        }

        var copies = 1;
        if (o["copies"] is { } c)
        {
            if (!RequestFields.IsNumber(c)) f.WrongType("copies", "number", c, $"must be a number from 1 to {MaxCopies}");
            else if (!RequestFields.IsLong(c, out var n) || n is < 1 or > MaxCopies) f.Invalid("copies", $"from 1 to {MaxCopies}");
            else copies = (int)n;
        }

        long pipelineId = 0;
        long? statusId = null;
        switch (o["target"])
        {
            case null:
                f.Missing("target", "required: {\"pipeline_id\": ..., \"status_id\": ...}");
                break;
            case JsonObject target:
                foreach (var key in target.Select(kv => kv.Key).Where(k => k is not ("pipeline_id" or "status_id"))) f.Unknown($"target.{key}");
                if (target["pipeline_id"] is null) f.Missing("target.pipeline_id", "required: a pipeline id");
                else PositiveId(f, "target.pipeline_id", target["pipeline_id"], "a pipeline id", out pipelineId);
                if (target["status_id"] is { } s && PositiveId(f, "target.status_id", s, "a stage id (or null for the default stage)", out var sid)) statusId = sid;
                break;
            case var other:
                f.WrongType("target", "object", other, "must be an object {\"pipeline_id\": ..., \"status_id\": ...}");
                break;
        }

        var responsible = Responsible(o["responsible"], f);
        var template = CopyOptions.DefaultNameTemplate;
        if (o["name_template"] is { } t)
        {
            if (!RequestFields.IsString(t, out var ts)) f.WrongType("name_template", "string", t, "must be a string");
            else if (ts.Length > MaxNameTemplate) f.Invalid("name_template", $"at most {MaxNameTemplate} characters");
            else template = ts;
        }
        if (!f.Has("name_template") && NameTemplate.Problem(template) is { } problem) f.Invalid("name_template", problem);

        var content = Content(o["copy"], f);
        var original = Original(o["original"], f);

        string? idempotencyKey = null;
        if (o["idempotency_key"] is { } k)
        {
            if (!RequestFields.IsString(k, out var ks)) f.WrongType("idempotency_key", "string", k, "must be a string of 1..200 characters");
            else if (ks.Length is 0 or > 200) f.Invalid("idempotency_key", "must be a string of 1..200 characters");
            else idempotencyKey = ks;
        }

        if (f.Any) return new Parsed(null, f.Refusals);
        var options = new CopyOptions(pipelineId, statusId, responsible!, template, content!, original!, copies);
        return new Parsed(new CopyJobSpec(leadIds, options, requestedBy, idempotencyKey), f.Refusals);
    }

    /// <summary>Longest name template (amoCRM's deal names are short; a template is not a document).</summary>
    public const int MaxNameTemplate = 255;

    public const int MaxDelayMinutes = 366 * 24 * 60;

    /// <summary>A Digital Pipeline rule as the widget writes it into the DP settings (the copy options plus v, delay_minutes, skip_if_open).</summary>
    public sealed record Rule(CopyOptions? Options, int DelayMinutes, bool SkipIfOpen, IReadOnlyList<Refusal> Refusals)
    {
        public Dictionary<string, string> Errors => Refusal.ErrorsOf(Refusals).ToDictionary(StringComparer.Ordinal);
    }

    public static Rule ParseRule(string? json)
    {
        var f = new RequestFields();
        var o = string.IsNullOrWhiteSpace(json) ? null : JsonBody.Parse(json, out _) as JsonObject;
        if (o is null)
        {
            f.Invalid("rule", "the rule setting must be a JSON object (saved by the DealCopy widget)");
            return new Rule(null, 0, false, f.Refusals);
        }
        if (o["v"] is { } v)
        {
            if (!RequestFields.IsNumber(v)) f.WrongType("rule.v", "number", v, "must be the rule version 1");
            else if (!RequestFields.IsLong(v, out var version) || version != 1) f.Invalid("rule.v", "unknown rule version");
        }
        var delay = 0;
        if (o["delay_minutes"] is { } d)
        {
            if (!RequestFields.IsNumber(d)) f.WrongType("rule.delay_minutes", "number", d, $"must be a number from 0 to {MaxDelayMinutes}");
            else if (!RequestFields.IsLong(d, out var minutes) || minutes < 0 || minutes > MaxDelayMinutes) f.Invalid("rule.delay_minutes", $"from 0 to {MaxDelayMinutes}");
            else delay = (int)minutes;
        }
        var skip = false;
        if (o["skip_if_open"] is { } s && !RequestFields.IsBoolean(s, out skip)) f.WrongType("rule.skip_if_open", "boolean", s, "must be true or false");
        var copy = (JsonObject)o.DeepClone();
        foreach (var key in new[] { "v", "delay_minutes", "skip_if_open" }) copy.Remove(key);
        copy["lead_ids"] = new JsonArray(JsonValue.Create(1L)); // a placeholder deal: the rule holds only the options
        var parsed = Parse(copy, 0);
        f.AddAll(parsed.Refusals, "rule.");
        return new Rule(f.Any ? null : parsed.Spec!.Options, delay, skip, f.Refusals);
    }

    private static ResponsibleRule? Responsible(JsonNode? node, RequestFields f)
    {
        if (node is null) return ResponsibleRule.Keep;
        if (node is not JsonObject r)
        {
            f.WrongType("responsible", "object", node, "must be an object {\"mode\": \"keep|fixed|round_robin\", \"user_ids\": [...]}");
            return null;
        }
        foreach (var key in r.Select(kv => kv.Key).Where(k => k is not ("mode" or "user_ids"))) f.Unknown($"responsible.{key}");
        if (!Word(f, "responsible.mode", r["mode"], "keep, fixed or round_robin", "keep", out var word)) return null;
        ResponsibleMode? mode = word switch
        {
            "keep" => ResponsibleMode.Keep,
            "fixed" => ResponsibleMode.Fixed,
            "round_robin" => ResponsibleMode.RoundRobin,
            _ => null,
        };
        if (mode is null)
        {
            f.Invalid("responsible.mode", "must be keep, fixed or round_robin");
            return null;
        }
        var users = new List<long>();
        switch (r["user_ids"])
        {
            case null:
                break;
            case JsonArray ids when ids.Count > 100:
                f.Invalid("responsible.user_ids", "at most 100 user ids");
                break;
            case JsonArray ids:
                for (var i = 0; i < ids.Count; i++)
                    if (PositiveId(f, $"responsible.user_ids[{i}]", ids[i], "a user id", out var id)) users.Add(id);
                break;
            case var other:
                f.WrongType("responsible.user_ids", "array", other, "must be an array of user ids");
                break;
        }
        if (mode == ResponsibleMode.Fixed && users.Count != 1 && !f.Has("responsible.user_ids")) f.Invalid("responsible.user_ids", "fixed needs exactly one user id");
        if (mode == ResponsibleMode.RoundRobin && users.Count is 0 or > 100 && !f.Has("responsible.user_ids")) f.Invalid("responsible.user_ids", "round_robin needs 1..100 user ids");
        return new ResponsibleRule(mode.Value, mode == ResponsibleMode.Keep ? [] : users);
    }

    private static CopyContent? Content(JsonNode? node, RequestFields f)
    {
        var all = CopyContent.Everything;
        if (node is null) return all;
        if (node is not JsonObject c)
        {
            f.WrongType("copy", "object", node, "must be an object");
            return null;
        }
        foreach (var key in c.Select(kv => kv.Key).Where(k => !CopyKeys.Contains(k))) f.Unknown($"copy.{key}");
        var allFields = true;
        var fieldIds = new List<long>();
        switch (c["fields"])
        {
            case null:
                break;
            case JsonValue v when RequestFields.IsString(v, out var s):
                if (s is "all" or "none") allFields = s == "all";
                else f.Invalid("copy.fields", "must be \"all\", \"none\" or an array of field ids");
                break;
            case JsonArray ids when ids.Count > MaxFieldIds:
                f.Invalid("copy.fields", $"at most {MaxFieldIds} field ids");
                break;
            case JsonArray ids:
                allFields = false;
                for (var i = 0; i < ids.Count; i++)
                    if (PositiveId(f, $"copy.fields[{i}]", ids[i], "a field id", out var id)) fieldIds.Add(id);
                break;
            case var other:
                f.WrongType("copy.fields", "string or array", other, "must be \"all\", \"none\" or an array of field ids");
                break;
        }
        bool Flag(string name, bool fallback)
        {
            if (c[name] is not { } n) return fallback;
            if (RequestFields.IsBoolean(n, out var value)) return value;
            f.WrongType($"copy.{name}", "boolean", n, "must be true or false");
            return fallback;
        }
        return new CopyContent(allFields, fieldIds, Flag("price", all.Price), Flag("contacts", all.Contacts), Flag("company", all.Company),
            Flag("tags", all.Tags), Flag("products", all.Products), Flag("notes", all.Notes), Flag("open_tasks", all.OpenTasks), Flag("finished_tasks", all.FinishedTasks));
    }

    /// <summary>Most chosen fields one copy can name (amoCRM accounts hold a few hundred at most).</summary>
    public const int MaxFieldIds = 1000;

    private static OriginalAction? Original(JsonNode? node, RequestFields f)
    {
        if (node is null) return OriginalAction.Leave;
        if (node is not JsonObject o)
        {
            f.WrongType("original", "object", node, "must be an object {\"action\": \"leave|move|close_won|close_lost\"}");
            return null;
        }
        foreach (var key in o.Select(kv => kv.Key).Where(k => k is not ("action" or "pipeline_id" or "status_id" or "loss_reason_id"))) f.Unknown($"original.{key}");
        if (!Word(f, "original.action", o["action"], "leave, move, close_won or close_lost", "leave", out var word)) return null;
        OriginalMode? mode = word switch
        {
            "leave" => OriginalMode.Leave,
            "move" => OriginalMode.Move,
            "close_won" => OriginalMode.CloseWon,
            "close_lost" => OriginalMode.CloseLost,
            _ => null,
        };
        if (mode is null)
        {
            f.Invalid("original.action", "must be leave, move, close_won or close_lost");
            return null;
        }
        long? Id(string name)
        {
            if (o[name] is not { } n) return null;
            return PositiveId(f, $"original.{name}", n, "a positive integer", out var v) ? v : null;
        }
        var pipeline = Id("pipeline_id");
        var status = Id("status_id");
        var lossReason = Id("loss_reason_id");
        if (mode == OriginalMode.Move && (pipeline is null || status is null) && !f.Has("original.pipeline_id") && !f.Has("original.status_id"))
            f.Missing("original.status_id", "move needs pipeline_id and status_id");
        return new OriginalAction(mode.Value, pipeline, status, mode == OriginalMode.CloseLost ? lossReason : null);
    }

    /// <summary>One of a few words; absent (or null) is <paramref name="fallback"/>; any other JSON type is refused, never read as the fallback.</summary>
    private static bool Word(RequestFields f, string field, JsonNode? node, string words, string fallback, out string word)
    {
        word = fallback;
        if (node is null) return true;
        if (RequestFields.IsString(node, out word)) return true;
        f.WrongType(field, "string", node, $"must be {words}");
        return false;
    }

    /// <summary>An id: a JSON number that is a whole positive integer; another JSON type is <c>request.wrong_type</c>.</summary>
    private static bool PositiveId(RequestFields f, string field, JsonNode? node, string what, out long value)
    {
        value = 0;
        if (!RequestFields.IsNumber(node))
        {
            f.WrongType(field, "number", node, $"must be {what}");
            return false;
        }
        if (RequestFields.IsLong(node, out value) && value > 0) return true;
        f.Invalid(field, $"must be {what} (a positive whole number)");
        return false;
    }
}
