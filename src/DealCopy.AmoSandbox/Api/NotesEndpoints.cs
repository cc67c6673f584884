using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Notes of leads, contacts and companies: list, read, create (API-NOTES §11).</summary>
public static class NotesEndpoints
{
    /// <summary>The note types the API can create, with the params each one requires.</summary>
    public static readonly Dictionary<string, string[]> Creatable = new()
    {
        ["common"] = ["text"],
        ["call_in"] = ["uniq", "duration", "source", "phone"],
        ["call_out"] = ["uniq", "duration", "source", "phone"],
        ["service_message"] = ["service", "text"],
        ["extended_service_message"] = ["service", "text"],
        ["message_cashier"] = ["status", "text"],
        ["geolocation"] = ["text", "address", "longitude", "latitude"],
        ["sms_in"] = ["text", "phone"],
        ["sms_out"] = ["text", "phone"],
        ["attachment"] = ["file_uuid", "file_name"],
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var entity in new[] { "leads", "contacts", "companies" })
        {
            app.MapGet($"/api/v4/{entity}/{{entityId:long}}/notes", (HttpContext ctx, long entityId) => List(ctx, entity, entityId));
            app.MapGet($"/api/v4/{entity}/notes", (HttpContext ctx) => List(ctx, entity, null));
            app.MapGet($"/api/v4/{entity}/notes/{{id:long}}", (HttpContext ctx, long id) => One(ctx, entity, null, id));
            app.MapGet($"/api/v4/{entity}/{{entityId:long}}/notes/{{id:long}}", (HttpContext ctx, long entityId, long id) => One(ctx, entity, entityId, id));
            app.MapPost($"/api/v4/{entity}/notes", Handlers.Async(ctx => Create(ctx, entity, null)));
            app.MapPost($"/api/v4/{entity}/{{entityId:long}}/notes", (HttpContext ctx, long entityId) => Create(ctx, entity, entityId));
        }
    }

    private static bool EntityExists(SandboxAccount a, string entity, long id) =>
        entity == "leads" ? a.Leads.TryGetValue(id, out var l) && !l.IsDeleted : a.Parties(entity).TryGetValue(id, out var p) && !p.IsDeleted;

    private static IResult List(HttpContext ctx, string entity, long? entityId)
    {
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var entityIds = entityId is { } one ? [one] : ctx.QueryLongs("filter[entity_id]");
        var ids = ctx.QueryLongs("filter[id]");
        var types = ctx.QueryValues("filter[note_type]");
        var updatedFrom = ctx.QueryLong("filter[updated_at][from]");
        lock (a.Gate)
        {
            IEnumerable<SandboxNote> q = a.Notes.Values.Where(n => n.EntityType == entity);
            if (entityIds.Count > 0) q = q.Where(n => entityIds.Contains(n.EntityId));
            if (ids.Count > 0) q = q.Where(n => ids.Contains(n.Id));
            if (types.Count > 0) q = q.Where(n => types.Contains(n.NoteType));
            if (updatedFrom is not null) q = q.Where(n => n.UpdatedAt >= updatedFrom);
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, "notes", items.Select(JsonNode (n) => Views.Note(n, a, baseUrl)), paging.Page, hasNext));
        }
    }

    private static IResult One(HttpContext ctx, string entity, long? entityId, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (!a.Notes.TryGetValue(id, out var n) || n.EntityType != entity || (entityId is not null && n.EntityId != entityId))
                return Hal.NoContent();
            return Hal.Ok(Views.Note(n, a, ctx.BaseUrl()));
        }
    }

    private static async Task<IResult> Create(HttpContext ctx, string entity, long? entityId)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var userId = ctx.Grant().UserId;
        var created = new List<(SandboxNote N, string RequestId)>();
        lock (a.Gate)
        {
            var invalid = new List<(string, IReadOnlyList<FieldError>)>();
            var plans = new List<(JsonObject O, long EntityId, string Type, string RequestId)>();
            for (var i = 0; i < items.Count; i++)
            {
                var o = items[i];
                var requestId = LeadsEndpoints.RequestId(o, i);
                var errors = new List<FieldError>();
                var eid = entityId ?? (SandboxJson.TryGetLong(o["entity_id"], out var e) ? e : 0);
                if (!EntityExists(a, entity, eid))
                    errors.Add(new("NotSupportedChoice", "entity_id", "The value you selected is not a valid choice."));
                var type = SandboxJson.TryGetString(o["note_type"], out var t) ? t : "";
                if (!Creatable.TryGetValue(type, out var required))
                {
                    errors.Add(new("NotSupportedChoice", "note_type", "The value you selected is not a valid choice."));
                }
                else
                {
                    var ps = o["params"] as JsonObject;
                    foreach (var key in required)
                        if (ps?[key] is null || (SandboxJson.TryGetString(ps[key], out var sv) && sv.Length == 0))
                            errors.Add(new("NotBlank", $"params.{key}", "This value should not be blank."));
                    if (type == "message_cashier" && SandboxJson.TryGetString(ps?["status"], out var st) && st is not ("created" or "shown" or "canceled"))
                        errors.Add(new("NotSupportedChoice", "params.status", "The value you selected is not a valid choice."));
                }
                if (o["responsible_user_id"] is { } ru && !(SandboxJson.TryGetLong(ru, out var rid) && a.User(rid) is not null))
                    errors.Add(new("NotSupportedChoice", "responsible_user_id", "The value you selected is not a valid choice."));
                if (errors.Count > 0) invalid.Add((requestId, errors));
                else plans.Add((o, eid, type, requestId));
            }
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            var now = rt.Clock.UnixNow;
            foreach (var (o, eid, type, requestId) in plans)
            {
                var responsible = SandboxJson.TryGetLong(o["responsible_user_id"], out var r) ? r : userId;
                var note = new SandboxNote
                {
                    Id = rt.State.NextId("note"),
                    EntityType = entity,
                    EntityId = eid,
                    NoteType = type,
                    Params = (JsonObject)o["params"]!.DeepClone(),
                    CreatedBy = SandboxJson.TryGetLong(o["created_by"], out var cb) ? cb : userId,
                    UpdatedBy = userId,
                    CreatedAt = SandboxJson.TryGetLong(o["created_at"], out var ca) ? ca : now,
                    UpdatedAt = now,
                    ResponsibleUserId = responsible,
                    GroupId = a.GroupOf(responsible),
                    IsPinned = o["is_pinned"] is JsonValue pv && pv.TryGetValue<bool>(out var pinned) && pinned,
                    // amoCRM's default is true: a copied note would fire DP triggers unless the caller says false.
                    IsNeedToTriggerDigitalPipeline = o["is_need_to_trigger_digital_pipeline"] is not JsonValue tv || !tv.TryGetValue<bool>(out var trig) || trig,
                };
                a.Notes[note.Id] = note;
                created.Add((note, requestId));
            }
        }
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{entity}/notes"),
            ["_embedded"] = new JsonObject
            {
                ["notes"] = new JsonArray(created.Select(JsonNode (c) => new JsonObject
                {
                    ["id"] = c.N.Id,
                    ["entity_id"] = c.N.EntityId,
                    ["request_id"] = c.RequestId,
                    ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{entity}/{c.N.EntityId}/notes/{c.N.Id}"),
                }).ToArray()),
            },
        });
    }
}
