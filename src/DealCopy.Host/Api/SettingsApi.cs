using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.Actors.Protocol;

namespace DealCopy.Host.Api;

/// <summary>
/// <c>GET/PUT /api/v1/settings</c> (docs/API.md "Settings"): "who may copy", kept by the account on the server.
/// Every active user of the account reads what the settings form needs; only amoCRM admins write.
/// </summary>
public static class SettingsApi
{
    private const int MaxEntries = 1000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/settings", WidgetApi.Handler(Get)).WithSummary("Who may copy (users and groups), and the users and groups to choose from");
        api.MapPut("/settings", WidgetApi.Handler(Put)).WithSummary("Replace who may copy (amoCRM admins only)");
    }

    private static async Task<IResult> Get(HttpContext ctx)
    {
        var caller = WidgetApi.Caller(ctx);
        return Answer(await WidgetApi.Ask(ctx, new GetCopySettings(caller.AccountId, caller.UserId)));
    }

    private static async Task<IResult> Put(HttpContext ctx)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problem.BadRequest("request.invalid_json", "The body is not valid JSON: " + e.Message);
        }
        var (access, errors) = Parse(body);
        if (access is null) return Problem.BadRequest("request.invalid", "Some fields are missing or wrong; nothing was saved.", errors);
        var caller = WidgetApi.Caller(ctx);
        return Answer(await WidgetApi.Ask(ctx, new SaveCopySettings(caller.AccountId, caller.UserId, access)));
    }

    /// <summary><c>{"allowed_user_ids": [...], "allowed_group_ids": [...]}</c>: both required, ids unique (0 is the default group).</summary>
    internal static (CopyAccess? Access, Dictionary<string, string> Errors) Parse(JsonNode? body)
    {
        var errors = new Dictionary<string, string>();
        if (body is not JsonObject o) return (null, new() { [""] = "the body must be a JSON object" });
        foreach (var key in o.Select(kv => kv.Key).Where(k => k is not ("allowed_user_ids" or "allowed_group_ids"))) errors[key] = "unknown field";
        List<long> Ids(string key, bool zeroAllowed)
        {
            var list = new List<long>();
            if (o[key] is not JsonArray items) { errors[key] = "required: an array of ids (empty = no restriction)"; return list; }
            if (items.Count > MaxEntries) { errors[key] = $"at most {MaxEntries} ids"; return list; }
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not JsonValue v || !v.TryGetValue<long>(out var id) || id < (zeroAllowed ? 0 : 1)) errors[$"{key}[{i}]"] = zeroAllowed ? "must be a group id (0 or more)" : "must be a positive integer";
                else if (list.Contains(id)) errors[$"{key}[{i}]"] = $"{id} is listed twice";
                else list.Add(id);
            }
            return list;
        }
        var users = Ids("allowed_user_ids", zeroAllowed: false);
        var groups = Ids("allowed_group_ids", zeroAllowed: true);
        return errors.Count > 0 ? (null, errors) : (new CopyAccess(users, groups), errors);
    }

    private static IResult Answer(object answer) => answer switch
    {
        CopySettingsView v => Results.Json(new
        {
            allowed_user_ids = v.Access.UserIds,
            allowed_group_ids = v.Access.GroupIds,
            may_edit = v.MayEdit,
            changed_by = v.ChangedBy,
            changed_at = v.ChangedAt,
            users = v.Users.Select(u => new { id = u.Id, name = u.Name, group_id = u.GroupId }),
            groups = v.Groups.Select(g => new { id = g.Id, name = g.Name }),
        }, Problem.Json),
        AccessRefused r => WidgetApi.Refused(r),
        AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
        IResult r => r,
        _ => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", $"The account answered {answer.GetType().Name}; the request may be repeated."),
    };
}
