using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Tasks (API-NOTES §12) and catalogs with their elements (§13).</summary>
public static class TasksAndCatalogsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/tasks", ListTasks);
        app.MapGet("/api/v4/tasks/{id:long}", OneTask);
        app.MapPost("/api/v4/tasks", Handlers.Async(CreateTasks));
        app.MapPatch("/api/v4/tasks", Handlers.Async(UpdateTasks));
        app.MapPatch("/api/v4/tasks/{id:long}", UpdateTask);
        app.MapGet("/api/v4/catalogs", Catalogs);
        app.MapGet("/api/v4/catalogs/{id:long}", Catalog);
        app.MapGet("/api/v4/catalogs/{id:long}/elements", Elements);
        app.MapGet("/api/v4/catalogs/{id:long}/elements/{elementId:long}", Element);
        app.MapPost("/api/v4/catalogs/{id:long}/elements", CreateElements);
    }

    private static IResult ListTasks(HttpContext ctx)
    {
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var entityType = ctx.Request.Query["filter[entity_type]"].ToString();
        var entityIds = ctx.QueryLongs("filter[entity_id]");
        if (entityIds.Count > 0 && entityType.Length == 0)
            throw Problems.Validation("0", new FieldError("NotBlank", "filter.entity_type", "filter[entity_id] requires filter[entity_type]."));
        if (entityType.Length > 0 && entityType is not ("leads" or "contacts" or "companies" or "customers"))
            throw Problems.Validation("0", new FieldError("NotSupportedChoice", "filter.entity_type", "The value you selected is not a valid choice."));
        var ids = ctx.QueryLongs("filter[id]");
        var responsible = ctx.QueryLongs("filter[responsible_user_id]");
        var types = ctx.QueryLongs("filter[task_type]");
        var completed = ctx.Request.Query["filter[is_completed]"].ToString();
        lock (a.Gate)
        {
            IEnumerable<SandboxTask> q = a.Tasks.Values;
            if (entityType.Length > 0) q = q.Where(t => t.EntityType == entityType);
            if (entityIds.Count > 0) q = q.Where(t => t.EntityId is { } e && entityIds.Contains(e));
            if (ids.Count > 0) q = q.Where(t => ids.Contains(t.Id));
            if (responsible.Count > 0) q = q.Where(t => responsible.Contains(t.ResponsibleUserId));
            if (types.Count > 0) q = q.Where(t => types.Contains(t.TaskTypeId));
            if (completed is "0" or "false") q = q.Where(t => !t.IsCompleted);
            else if (completed is "1" or "true") q = q.Where(t => t.IsCompleted);
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, "tasks", items.Select(JsonNode (t) => Views.Task(t, a, baseUrl)), paging.Page, hasNext));
        }
    }

    private static IResult OneTask(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
            return a.Tasks.TryGetValue(id, out var t) ? Hal.Ok(Views.Task(t, a, ctx.BaseUrl())) : Hal.NoContent();
    }

    private static async Task<IResult> CreateTasks(HttpContext ctx)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var userId = ctx.Grant().UserId;
        var created = new List<(SandboxTask T, string RequestId)>();
        lock (a.Gate)
        {
            var plans = items.Select((o, i) => PlanTask(a, o, null, LeadsEndpoints.RequestId(o, i))).ToList();
            var invalid = plans.Where(p => p.Errors.Count > 0).Select(p => (p.RequestId, (IReadOnlyList<FieldError>)p.Errors)).ToList();
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            var now = rt.Clock.UnixNow;
            foreach (var p in plans)
            {
                var task = new SandboxTask
                {
                    Id = rt.State.NextId("task"), CreatedBy = userId, UpdatedBy = userId, CreatedAt = now, UpdatedAt = now,
                    ResponsibleUserId = userId, GroupId = a.GroupOf(userId),
                };
                foreach (var step in p.Steps) step(task);
                a.Tasks[task.Id] = task;
                created.Add((task, p.RequestId));
            }
        }
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/tasks"),
            ["_embedded"] = new JsonObject
            {
                ["tasks"] = new JsonArray(created.Select(JsonNode (c) => new JsonObject
                {
                    ["id"] = c.T.Id, ["request_id"] = c.RequestId, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/tasks/{c.T.Id}"),
                }).ToArray()),
            },
        });
    }

    private static async Task<IResult> UpdateTasks(HttpContext ctx)
    {
        var items = await ctx.JsonArrayBody(ctx.Runtime().Options.MaxBatch);
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/tasks"),
            ["_embedded"] = new JsonObject
            {
                ["tasks"] = new JsonArray(ApplyTaskUpdates(ctx, items).Select(JsonNode (u) => UpdatedTaskView(u.Task, u.RequestId, baseUrl)).ToArray()),
            },
        });
    }

    /// <summary><c>PATCH /api/v4/tasks/{id}</c> with one object, e.g. completing a task with its result (API-NOTES §12).</summary>
    private static async Task<IResult> UpdateTask(HttpContext ctx, long id)
    {
        if (await ctx.JsonBody() is not JsonObject o)
            throw Problems.Validation("0", new FieldError("InvalidType", "", "This value should be of type object."));
        o["id"] = id;
        var (task, requestId) = ApplyTaskUpdates(ctx, [o])[0];
        return Hal.Ok(UpdatedTaskView(task, requestId, ctx.BaseUrl()));
    }

    private static JsonObject UpdatedTaskView(SandboxTask t, string requestId, string baseUrl) => new()
    {
        ["id"] = t.Id, ["updated_at"] = t.UpdatedAt, ["request_id"] = requestId, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/tasks/{t.Id}"),
    };

    private static List<(SandboxTask Task, string RequestId)> ApplyTaskUpdates(HttpContext ctx, List<JsonObject> items)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var userId = ctx.Grant().UserId;
        var updated = new List<(SandboxTask, string)>();
        lock (a.Gate)
        {
            var plans = new List<(string RequestId, List<FieldError> Errors, List<Action<SandboxTask>> Steps, SandboxTask? Task)>();
            for (var i = 0; i < items.Count; i++)
            {
                var requestId = LeadsEndpoints.RequestId(items[i], i);
                if (!SandboxJson.TryGetLong(items[i]["id"], out var id) || !a.Tasks.TryGetValue(id, out var task))
                {
                    plans.Add((requestId, [new FieldError("NotSupportedChoice", "id", "The value you selected is not a valid choice.")], [], null));
                    continue;
                }
                var p = PlanTask(a, items[i], task, requestId);
                plans.Add((requestId, p.Errors, p.Steps, task));
            }
            var invalid = plans.Where(p => p.Errors.Count > 0).Select(p => (p.RequestId, (IReadOnlyList<FieldError>)p.Errors)).ToList();
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            var now = rt.Clock.UnixNow;
            foreach (var p in plans)
            {
                foreach (var step in p.Steps) step(p.Task!);
                p.Task!.UpdatedAt = now;
                p.Task.UpdatedBy = userId;
                updated.Add((p.Task, p.RequestId));
            }
        }
        return updated;
    }

    private sealed record TaskPlan(string RequestId, List<FieldError> Errors, List<Action<SandboxTask>> Steps);

    private static TaskPlan PlanTask(SandboxAccount a, JsonObject o, SandboxTask? existing, string requestId)
    {
        var plan = new TaskPlan(requestId, [], []);
        var errors = plan.Errors;
        if (SandboxJson.TryGetString(o["text"], out var text) && text.Length > 0) plan.Steps.Add(t => t.Text = text);
        else if (existing is null || o.ContainsKey("text")) errors.Add(new("NotBlank", "text", "This value should not be blank."));
        if (SandboxJson.TryGetLong(o["complete_till"], out var till)) plan.Steps.Add(t => t.CompleteTill = till);
        else if (existing is null || o.ContainsKey("complete_till")) errors.Add(new("NotBlank", "complete_till", "This value should not be blank."));
        if (o["responsible_user_id"] is { } ru)
        {
            if (SandboxJson.TryGetLong(ru, out var r) && a.User(r) is { IsActive: true }) plan.Steps.Add(t => { t.ResponsibleUserId = r; t.GroupId = a.GroupOf(r); });
            else errors.Add(new("NotSupportedChoice", "responsible_user_id", "The value you selected is not a valid choice."));
        }
        if (o["entity_id"] is { } eidNode || o["entity_type"] is not null)
        {
            var type = SandboxJson.TryGetString(o["entity_type"], out var et) ? et : "";
            var ok = SandboxJson.TryGetLong(o["entity_id"], out var eid) && type switch
            {
                "leads" => a.Leads.ContainsKey(eid),
                "contacts" => a.Contacts.ContainsKey(eid),
                "companies" => a.Companies.ContainsKey(eid),
                _ => false,
            };
            if (ok) plan.Steps.Add(t => { t.EntityId = eid; t.EntityType = type; });
            else errors.Add(new("NotSupportedChoice", "entity_id", "The value you selected is not a valid choice."));
        }
        if (o["task_type_id"] is { } tt)
        {
            if (SandboxJson.TryGetLong(tt, out var typeId) && a.TaskTypes.Any(x => x.Id == typeId)) plan.Steps.Add(t => t.TaskTypeId = typeId);
            else errors.Add(new("NotSupportedChoice", "task_type_id", "The value you selected is not a valid choice."));
        }
        if (SandboxJson.TryGetLong(o["duration"], out var duration)) plan.Steps.Add(t => t.Duration = duration);
        if (o["is_completed"] is JsonValue c && c.TryGetValue<bool>(out var done)) plan.Steps.Add(t => t.IsCompleted = done);
        if (o["result"] is JsonObject result && SandboxJson.TryGetString(result["text"], out var rt)) plan.Steps.Add(t => t.ResultText = rt);
        return plan;
    }

    private static IResult Catalogs(HttpContext ctx)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (a.Catalogs.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, "catalogs", a.Catalogs.Select(JsonNode (c) => Views.Catalog(c, a, baseUrl)), 1, false));
        }
    }

    private static IResult Catalog(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var c = a.Catalog(id);
            return c is null ? Hal.NoContent() : Hal.Ok(Views.Catalog(c, a, ctx.BaseUrl()));
        }
    }

    private static IResult Elements(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var ids = ctx.QueryLongs("filter[id]");
        var query = ctx.Request.Query["query"].ToString();
        lock (a.Gate)
        {
            if (a.Catalog(id) is null) throw Problems.Error(404, "Catalog not found");
            IEnumerable<SandboxCatalogElement> q = a.CatalogElements.Values.Where(e => e.CatalogId == id && !e.IsDeleted);
            if (ids.Count > 0) q = q.Where(e => ids.Contains(e.Id));
            if (query.Length > 0) q = q.Where(e => e.Name.Contains(query, StringComparison.OrdinalIgnoreCase));
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, "elements", items.Select(JsonNode (e) => Views.Element(e, a, baseUrl)), paging.Page, hasNext));
        }
    }

    private static IResult Element(HttpContext ctx, long id, long elementId)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (!a.CatalogElements.TryGetValue(elementId, out var e) || e.CatalogId != id || e.IsDeleted) return Hal.NoContent();
            return Hal.Ok(Views.Element(e, a, ctx.BaseUrl()));
        }
    }

    private static async Task<IResult> CreateElements(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var userId = ctx.Grant().UserId;
        var created = new List<(SandboxCatalogElement E, string RequestId)>();
        lock (a.Gate)
        {
            var catalog = a.Catalog(id) ?? throw Problems.Error(404, "Catalog not found");
            var invalid = new List<(string, IReadOnlyList<FieldError>)>();
            var plans = new List<(string Name, JsonArray? Fields, string RequestId)>();
            for (var i = 0; i < items.Count; i++)
            {
                var requestId = LeadsEndpoints.RequestId(items[i], i);
                var errors = new List<FieldError>();
                if (!SandboxJson.TryGetString(items[i]["name"], out var name) || name.Length == 0)
                    errors.Add(new("NotBlank", "name", "This value should not be blank."));
                var fields = new FieldValues(a, rt.Options).Apply(catalog.Fields, null, items[i]["custom_fields_values"], "custom_fields_values", errors);
                if (errors.Count > 0) invalid.Add((requestId, errors));
                else plans.Add((name, fields, requestId));
            }
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            var now = rt.Clock.UnixNow;
            foreach (var (name, fields, requestId) in plans)
            {
                var e = new SandboxCatalogElement
                {
                    Id = rt.State.NextId("element"), CatalogId = id, Name = name, CustomFields = fields,
                    CreatedBy = userId, UpdatedBy = userId, CreatedAt = now, UpdatedAt = now,
                };
                a.CatalogElements[e.Id] = e;
                created.Add((e, requestId));
            }
        }
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/catalogs/{id}/elements"),
            ["_embedded"] = new JsonObject
            {
                ["elements"] = new JsonArray(created.Select(JsonNode (c) =>
                {
                    var v = Views.Element(c.E, a, baseUrl);
                    v["request_id"] = c.RequestId;
                    return v;
                }).ToArray()),
            },
        });
    }
}
