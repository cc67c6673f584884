using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Api;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;
using DealCopy.AmoSandbox.Seeding;

namespace DealCopy.AmoSandbox.Control;

/// <summary>The sandbox's own API under <c>/_sandbox</c> (docs/SANDBOX.md "The control API"). Not part of amoCRM.</summary>
public static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/_sandbox");
        g.MapPost("/reset", Reset);
        g.MapPost("/accounts", Handlers.Async(CreateAccount));
        g.MapGet("/accounts/{id:long}/dump", Dump);
        g.MapPost("/accounts/{id:long}/tokens", IssueToken);
        g.MapPost("/accounts/{id:long}/auth-codes", IssueCode);
        g.MapPost("/accounts/{id:long}/widget-token", WidgetToken);
        g.MapPost("/accounts/{id:long}/install", Install);
        g.MapPatch("/accounts/{id:long}/users/{userId:long}", ChangeUser);
        g.MapPost("/accounts/{id:long}/disconnect", Disconnect);
        g.MapPut("/accounts/{id:long}/dp/triggers", SetTriggers);
        g.MapPost("/accounts/{id:long}/dp/move", Move);
        g.MapPost("/accounts/{id:long}/dp/send", SendDp);
        g.MapGet("/accounts/{id:long}/dp/deliveries", (HttpContext ctx, long id) => Deliveries(ctx, id, "dp"));
        g.MapGet("/accounts/{id:long}/hooks", (HttpContext ctx, long id) => Deliveries(ctx, id, null));
        g.MapPost("/accounts/{id:long}/unblock", Unblock);
        // an admin deleting a field in the account's settings (not an API call: it does not count against the API limit)
        g.MapDelete("/accounts/{id:long}/fields/{entity}/{fieldId:long}", (HttpContext ctx, long id, string entity, long fieldId) =>
        {
            Api.FieldsAndTagsEndpoints.DeleteField(AccountOf(ctx, id), entity, fieldId);
            return Results.NoContent();
        });
        g.MapGet("/requests", Requests);
        g.MapDelete("/requests", (HttpContext ctx) => { ctx.Runtime().Log.Clear(); return Results.NoContent(); });
        g.MapGet("/faults", (HttpContext ctx) => Json(new JsonArray(ctx.Runtime().Faults.List().Select(JsonNode (r) => JsonSerializer.SerializeToNode(r, SandboxJson.Options)!).ToArray())));
        g.MapPost("/faults", Handlers.Async(AddFault));
        g.MapDelete("/faults", (HttpContext ctx) => { ctx.Runtime().Faults.Clear(); return Results.NoContent(); });
        g.MapDelete("/faults/{id:long}", (HttpContext ctx, long id) => ctx.Runtime().Faults.Remove(id) ? Results.NoContent() : throw NotFound($"fault {id}"));
        g.MapGet("/clock", (HttpContext ctx) => Json(Clock(ctx.Runtime())));
        g.MapPost("/clock/advance", Handlers.Async(Advance));
        g.MapFallback((HttpContext ctx) => throw Problems.Error(404, $"No control route {ctx.Request.Method} {ctx.Request.Path}"));
    }

    private static IResult Json(JsonNode node, int status = 200) =>
        Results.Text(SandboxJson.Serialize(node), "application/json", System.Text.Encoding.UTF8, status);

    private static AmoProblemException NotFound(string what) => Problems.Error(404, $"Unknown {what}");

    private static SandboxAccount AccountOf(HttpContext ctx, long id) =>
        ctx.Runtime().State.Account(id) ?? throw NotFound($"account {id}");

    /// <summary>Reads a JSON object body; an empty body is an empty object; anything else is a clear 400.</summary>
    private static async Task<JsonObject> Body(HttpContext ctx, bool required = false)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
            return required ? throw Problems.BadRequest("A JSON body is required") : [];
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Problems.BadRequest("The body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest("Malformed JSON: " + e.Message);
        }
    }

    private static long? OptLong(JsonObject o, string key)
    {
        if (o[key] is null) return null;
        return SandboxJson.TryGetLong(o[key], out var v) ? v : throw Problems.BadRequest($"{key} must be an integer");
    }

    private static string? OptString(JsonObject o, string key)
    {
        if (o[key] is null) return null;
        return SandboxJson.TryGetString(o[key], out var v) ? v : throw Problems.BadRequest($"{key} must be a string");
    }

    private static IResult Reset(HttpContext ctx)
    {
        var rt = ctx.Runtime();
        Seeder.Reset(rt);
        return Json(new JsonObject { ["accounts"] = rt.State.Accounts.Count });
    }

    private static async Task<IResult> CreateAccount(HttpContext ctx)
    {
        var rt = ctx.Runtime();
        var description = await Body(ctx);
        var (account, token) = Seeder.FromDescription(rt, description);
        return Json(new JsonObject
        {
            ["id"] = account.Id,
            ["subdomain"] = account.Subdomain,
            ["referer"] = account.Referer,
            ["admin_user_id"] = account.Users.First(u => u.IsAdmin).Id,
            ["admin_token"] = token,
            ["users"] = new JsonArray(account.Users.Select(JsonNode (u) => new JsonObject { ["id"] = u.Id, ["name"] = u.Name, ["is_admin"] = u.IsAdmin }).ToArray()),
        }, 201);
    }

    private static IResult Dump(HttpContext ctx, long id)
    {
        var a = AccountOf(ctx, id);
        var baseUrl = ctx.BaseUrl();
        var all = new HashSet<string> { "contacts", "catalog_elements", "loss_reason", "source_id" };
        lock (a.Gate)
        {
            return Json(new JsonObject
            {
                ["id"] = a.Id,
                ["subdomain"] = a.Subdomain,
                ["users"] = new JsonArray(a.Users.Select(JsonNode (u) => Views.User(u, new HashSet<string>(), baseUrl)).ToArray()),
                ["pipelines"] = new JsonArray(a.Pipelines.Select(JsonNode (p) => Views.Pipeline(a, p, baseUrl)).ToArray()),
                ["leads"] = new JsonArray(a.Leads.Values.Select(JsonNode (l) => Views.Lead(a, l, all, baseUrl)).ToArray()),
                ["contacts"] = new JsonArray(a.Contacts.Values.Select(JsonNode (c) => Views.Party(a, c, new HashSet<string>(), baseUrl)).ToArray()),
                ["companies"] = new JsonArray(a.Companies.Values.Select(JsonNode (c) => Views.Party(a, c, new HashSet<string>(), baseUrl)).ToArray()),
                ["notes"] = new JsonArray(a.Notes.Values.Select(JsonNode (n) =>
                {
                    var v = Views.Note(n, a, baseUrl);
                    v["entity_type"] = n.EntityType;
                    v["is_need_to_trigger_digital_pipeline"] = n.IsNeedToTriggerDigitalPipeline;
                    return v;
                }).ToArray()),
                ["tasks"] = new JsonArray(a.Tasks.Values.Select(JsonNode (t) => Views.Task(t, a, baseUrl)).ToArray()),
                ["lead_fields"] = new JsonArray(a.Fields["leads"].Select(JsonNode (f) => Views.Field(a, f, baseUrl)).ToArray()),
                ["dp_triggers"] = JsonSerializer.SerializeToNode(a.DpTriggers, SandboxJson.Options),
            });
        }
    }

    private static async Task<IResult> IssueToken(HttpContext ctx, long id)
    {
        var rt = ctx.Runtime();
        var a = AccountOf(ctx, id);
        var body = await Body(ctx);
        var userId = OptLong(body, "user_id") ?? a.Users.First(u => u.IsAdmin).Id;
        if (a.User(userId) is null) throw NotFound($"user {userId} in account {id}");
        var lifetime = OptLong(body, "lifetime_seconds");
        if (lifetime is <= 0) throw Problems.BadRequest("lifetime_seconds must be positive");
        var grant = rt.State.IssueLongLived(id, userId, lifetime: lifetime is null ? null : TimeSpan.FromSeconds(lifetime.Value));
        return Json(new JsonObject { ["access_token"] = grant.Token, ["user_id"] = userId, ["expires_at"] = grant.ExpiresAt?.ToUnixTimeSeconds() });
    }

    private static async Task<IResult> IssueCode(HttpContext ctx, long id)
    {
        var a = AccountOf(ctx, id);
        var body = await Body(ctx);
        var userId = OptLong(body, "user_id") ?? a.Users.First(u => u.IsAdmin).Id;
        if (a.User(userId) is null) throw NotFound($"user {userId} in account {id}");
        var code = ctx.Runtime().State.IssueCode(id, userId);
        return Json(new JsonObject { ["code"] = code.Code, ["referer"] = a.Referer, ["expires_at"] = code.ExpiresAt.ToUnixTimeSeconds() });
    }

    /// <summary>The disposable JWT amoCRM's frontend hands a widget for its backend (API-NOTES §16).</summary>
    private static async Task<IResult> WidgetToken(HttpContext ctx, long id)
    {
        var rt = ctx.Runtime();
        var a = AccountOf(ctx, id);
        var body = await Body(ctx);
        var userId = OptLong(body, "user_id") ?? a.Users.First(u => u.IsAdmin).Id;
        var user = a.User(userId) ?? throw NotFound($"user {userId} in account {id}");
        var lifetime = OptLong(body, "lifetime_seconds") ?? 1800;
        var redirect = new Uri(rt.Options.RedirectUri);
        var audience = OptString(body, "audience") ?? $"{redirect.Scheme}://{redirect.Authority}";
        var now = OptLong(body, "issued_at") ?? rt.Clock.UnixNow; // a token minted a while ago, still valid
        var claims = new JsonObject
        {
            ["iss"] = $"https://{a.Referer}",
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString(),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + lifetime,
            ["account_id"] = a.Id,
            ["user_id"] = user.Id,
            ["client_uuid"] = OptString(body, "client_uuid") ?? rt.Options.ClientId,
            ["subdomain"] = a.Subdomain,
            ["is_admin"] = user.IsAdmin,
        };
        var key = OptString(body, "signing_key") ?? rt.Options.ClientSecret;
        var token = Jwt.SignHs256(claims, key);
        Platform.SecretLedger.Publish("widget_jwt", token);
        return Json(new JsonObject { ["token"] = token, ["claims"] = claims.DeepClone() });
    }

    /// <summary>An admin changing a user's role in amoCRM: rights, flags and group (docs/SANDBOX.md "Users and rights").</summary>
    private static async Task<IResult> ChangeUser(HttpContext ctx, long id, long userId)
    {
        var a = AccountOf(ctx, id);
        var body = await Body(ctx, required: true);
        lock (a.Gate)
        {
            var user = a.User(userId) ?? throw NotFound($"user {userId} in account {id}");
            var group = OptLong(body, "group_id");
            if (group is { } gid && gid != 0 && a.Groups.All(g => g.Id != gid)) throw Problems.BadRequest($"group {gid} is not in the account");
            var rights = body["rights"] is { } r ? Seeder.RightsOf(r, "rights", user.Rights) : user.Rights;
            foreach (var key in new[] { "is_admin", "is_active", "is_free" })
                if (body[key] is { } flag && !(flag is JsonValue v && v.TryGetValue<bool>(out _))) throw Problems.BadRequest($"{key} must be true or false");
            user.Rights = rights;
            if (group is not null) user.GroupId = group.Value;
            if (body["is_admin"] is JsonValue admin) user.IsAdmin = admin.GetValue<bool>();
            if (body["is_active"] is JsonValue active) user.IsActive = active.GetValue<bool>();
            if (body["is_free"] is JsonValue free) user.IsFree = free.GetValue<bool>();
            return Json(Views.User(user, new HashSet<string>(), ctx.BaseUrl()));
        }
    }

    private static async Task<IResult> Install(HttpContext ctx, long id)
    {
        var rt = ctx.Runtime();
        var a = AccountOf(ctx, id);
        var body = await Body(ctx);
        var redirect = OptString(body, "redirect_uri") ?? rt.Options.RedirectUri;
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out _)) throw Problems.BadRequest("redirect_uri must be an absolute URI");
        var userId = OptLong(body, "user_id") ?? a.Users.First(u => u.IsAdmin).Id;
        var code = rt.State.IssueCode(id, userId);
        var delivery = await HookSender.Of(ctx).SendInstall(a, redirect, code.Code, OptString(body, "state"));
        return Json(new JsonObject { ["code"] = code.Code, ["url"] = delivery.Url, ["status"] = delivery.Status, ["error"] = delivery.Error });
    }

    private static async Task<IResult> Disconnect(HttpContext ctx, long id)
    {
        var rt = ctx.Runtime();
        var a = AccountOf(ctx, id);
        var body = await Body(ctx);
        var url = OptString(body, "url") ?? rt.Options.DisconnectUrl;
        rt.State.RevokeAll(id);
        if (string.IsNullOrEmpty(url)) return Json(new JsonObject { ["revoked"] = true, ["status"] = null, ["error"] = "no disconnect URL configured" });
        var delivery = await HookSender.Of(ctx).SendDisconnect(a, url);
        return Json(new JsonObject { ["revoked"] = true, ["url"] = delivery.Url, ["status"] = delivery.Status, ["error"] = delivery.Error });
    }

    private static async Task<IResult> SetTriggers(HttpContext ctx, long id)
    {
        var a = AccountOf(ctx, id);
        using var reader = new StreamReader(ctx.Request.Body);
        JsonArray items;
        try { items = JsonNode.Parse(await reader.ReadToEndAsync(ctx.RequestAborted)) as JsonArray ?? throw Problems.BadRequest("The body must be a JSON array of triggers"); }
        catch (JsonException e) { throw Problems.BadRequest("Malformed JSON: " + e.Message); }
        var triggers = new List<DpTrigger>();
        lock (a.Gate)
        {
            foreach (var (node, i) in items.Select((n, i) => (n, i)))
            {
                if (node is not JsonObject o) throw Problems.BadRequest($"trigger {i} must be an object");
                var pipelineId = OptLong(o, "pipeline_id") ?? throw Problems.BadRequest($"trigger {i}: pipeline_id is required");
                var statusId = OptLong(o, "status_id") ?? throw Problems.BadRequest($"trigger {i}: status_id is required");
                if (a.Pipeline(pipelineId)?.Status(statusId) is null) throw Problems.BadRequest($"trigger {i}: stage {statusId} is not in pipeline {pipelineId}");
                var url = OptString(o, "url") ?? throw Problems.BadRequest($"trigger {i}: url is required");
                if (!Uri.TryCreate(url, UriKind.Absolute, out _)) throw Problems.BadRequest($"trigger {i}: url must be absolute");
                var settings = new Dictionary<string, string>();
                if (o["settings"] is JsonObject s)
                    foreach (var (k, v) in s)
                        settings[k] = v is JsonValue jv && jv.TryGetValue<string>(out var str) ? str : v?.ToJsonString() ?? "";
                var format = OptString(o, "format") ?? "form";
                if (format is not ("form" or "json")) throw Problems.BadRequest($"trigger {i}: format must be form or json");
                triggers.Add(new DpTrigger
                {
                    PipelineId = pipelineId, StatusId = statusId, Url = url, Settings = settings, Format = format,
                    ActionMultiple = o["action_multiple"] is JsonValue am && am.TryGetValue<bool>(out var multiple) && multiple,
                });
            }
            a.DpTriggers.Clear();
            a.DpTriggers.AddRange(triggers);
        }
        return Json(new JsonObject { ["triggers"] = triggers.Count });
    }

    /// <summary>Acts as a manager moving leads in amoCRM's UI: the stage changes and matching DP triggers fire.</summary>
    private static async Task<IResult> Move(HttpContext ctx, long id)
    {
        var rt = ctx.Runtime();
        var a = AccountOf(ctx, id);
        var body = await Body(ctx, required: true);
        if (body["lead_ids"] is not JsonArray idsNode || idsNode.Count == 0) throw Problems.BadRequest("lead_ids must be a non-empty array");
        var ids = idsNode.Select(n => SandboxJson.TryGetLong(n, out var v) ? v : throw Problems.BadRequest("lead_ids must hold integers")).ToList();
        var pipelineId = OptLong(body, "pipeline_id") ?? throw Problems.BadRequest("pipeline_id is required");
        var statusId = OptLong(body, "status_id") ?? throw Problems.BadRequest("status_id is required");
        var format = OptString(body, "format");
        var moved = new List<(long, long, long)>();
        lock (a.Gate)
        {
            var status = a.Pipeline(pipelineId)?.Status(statusId) ?? throw Problems.BadRequest($"stage {statusId} is not in pipeline {pipelineId}");
            var missing = ids.Where(l => !a.Leads.ContainsKey(l)).ToList();
            if (missing.Count > 0) throw Problems.BadRequest("unknown leads: " + string.Join(",", missing));
            var now = rt.Clock.UnixNow;
            foreach (var leadId in ids)
            {
                var lead = a.Leads[leadId];
                lead.PipelineId = pipelineId;
                lead.StatusId = status.Id;
                lead.UpdatedAt = now;
                lead.ClosedAt = status.Id is SandboxPipeline.Won or SandboxPipeline.Lost ? now : null;
                if (status.Id != SandboxPipeline.Lost) lead.LossReasonId = null;
                moved.Add((leadId, pipelineId, status.Id));
            }
        }
        var deliveries = await HookSender.Of(ctx).LeadsEnteredAndWait(a, moved, format);
        return Json(new JsonObject { ["moved"] = moved.Count, ["deliveries"] = DeliveriesJson(deliveries) });
    }

    /// <summary>Posts one DP hook as amoCRM would, without moving anything (for replay and forgery tests).</summary>
    private static async Task<IResult> SendDp(HttpContext ctx, long id)
    {
        var a = AccountOf(ctx, id);
        var body = await Body(ctx, required: true);
        var leadId = OptLong(body, "lead_id") ?? throw Problems.BadRequest("lead_id is required");
        var url = OptString(body, "url") ?? throw Problems.BadRequest("url is required");
        if (!Uri.TryCreate(url, UriKind.Absolute, out _)) throw Problems.BadRequest("url must be absolute");
        long pipelineId, statusId;
        lock (a.Gate)
        {
            var lead = a.Leads.GetValueOrDefault(leadId);
            pipelineId = OptLong(body, "pipeline_id") ?? lead?.PipelineId ?? throw Problems.BadRequest("pipeline_id is required for an unknown lead");
            statusId = OptLong(body, "status_id") ?? lead?.StatusId ?? throw Problems.BadRequest("status_id is required for an unknown lead");
        }
        var settings = new Dictionary<string, string>();
        if (body["settings"] is JsonObject s)
            foreach (var (k, v) in s) settings[k] = v is JsonValue jv && jv.TryGetValue<string>(out var str) ? str : v?.ToJsonString() ?? "";
        var direction = OptString(body, "direction");
        var trigger = new DpTrigger { PipelineId = pipelineId, StatusId = statusId, Url = url, Settings = settings };
        var delivery = await HookSender.Of(ctx).SendDp(a, trigger, (leadId, pipelineId, statusId), direction ?? "went_to_trigger",
            OptString(body, "format"), OptLong(body, "event_time"), (int)(OptLong(body, "event_type") ?? 14));
        return Json(DeliveriesJson([delivery])[0]!);
    }

    private static JsonArray DeliveriesJson(IEnumerable<HookDelivery> deliveries) =>
        new(deliveries.Select(JsonNode (d) => JsonSerializer.SerializeToNode(d, SandboxJson.Options)!).ToArray());

    private static IResult Deliveries(HttpContext ctx, long id, string? kind)
    {
        AccountOf(ctx, id);
        return Json(DeliveriesJson(ctx.Runtime().State.Hooks.Where(h => h.AccountId == id && (kind is null || h.Kind == kind))));
    }

    private static IResult Unblock(HttpContext ctx, long id)
    {
        AccountOf(ctx, id);
        ctx.Runtime().Rate.Unblock(id);
        return Results.NoContent();
    }

    private static IResult Requests(HttpContext ctx)
    {
        long? accountId = null;
        long after = 0;
        var q = ctx.Request.Query;
        if (q["account_id"].Count > 0)
            accountId = long.TryParse(q["account_id"], CultureInfo.InvariantCulture, out var a) ? a : throw Problems.BadRequest("account_id must be an integer");
        if (q["after_id"].Count > 0 && !long.TryParse(q["after_id"], CultureInfo.InvariantCulture, out after))
            throw Problems.BadRequest("after_id must be an integer");
        var entries = ctx.Runtime().Log.Read(accountId, after);
        return Json(JsonSerializer.SerializeToNode(entries, SandboxJson.Options)!);
    }

    private static async Task<IResult> AddFault(HttpContext ctx)
    {
        var body = await Body(ctx, required: true);
        FaultRule rule;
        try
        {
            rule = body.Deserialize<FaultRule>(SandboxJson.Options) ?? throw Problems.BadRequest("A fault rule is required");
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest("Malformed fault rule: " + e.Message);
        }
        if (rule.Problem() is { } problem) throw Problems.BadRequest(problem);
        var added = ctx.Runtime().Faults.Add(rule);
        return Json(JsonSerializer.SerializeToNode(added, SandboxJson.Options)!, 201);
    }

    private static JsonObject Clock(SandboxRuntime rt) => new() { ["now"] = rt.Clock.UnixNow, ["iso"] = rt.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };

    private static async Task<IResult> Advance(HttpContext ctx)
    {
        var rt = ctx.Runtime();
        var body = await Body(ctx, required: true);
        var seconds = OptLong(body, "seconds") ?? throw Problems.BadRequest("seconds is required");
        if (seconds < 0) throw Problems.BadRequest("seconds must not be negative: the sandbox clock only moves forward");
        rt.Clock.Advance(TimeSpan.FromSeconds(seconds));
        return Json(Clock(rt));
    }
}
