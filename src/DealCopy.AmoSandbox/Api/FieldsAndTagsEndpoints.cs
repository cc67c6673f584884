using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Custom field definitions (≤ 50 per page, API-NOTES §7.1) and tag dictionaries (§10).</summary>
public static class FieldsAndTagsEndpoints
{
    /// <summary>Which field types each entity may have (API-NOTES §7.2).</summary>
    public static readonly Dictionary<string, string[]> TypesByEntity = new()
    {
        ["leads"] = ["text", "numeric", "checkbox", "select", "multiselect", "date", "url", "date_time", "textarea", "radiobutton",
                     "streetaddress", "smart_address", "birthday", "legal_entity", "tracking_data", "chained_list", "monetary", "file"],
        ["contacts"] = ["text", "numeric", "checkbox", "select", "multiselect", "multitext", "date", "url", "date_time", "textarea",
                        "radiobutton", "streetaddress", "smart_address", "birthday", "legal_entity", "tracking_data", "monetary", "file"],
        ["companies"] = ["text", "numeric", "checkbox", "select", "multiselect", "multitext", "date", "url", "date_time", "textarea",
                         "radiobutton", "streetaddress", "smart_address", "birthday", "legal_entity", "tracking_data", "monetary", "file"],
    };

    private static readonly string[] EnumTypes = ["select", "multiselect", "radiobutton", "category"];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var entity in new[] { "leads", "contacts", "companies" })
        {
            app.MapGet($"/api/v4/{entity}/custom_fields", (HttpContext ctx) => List(ctx, entity, null));
            app.MapGet($"/api/v4/{entity}/custom_fields/{{id:long}}", (HttpContext ctx, long id) => One(ctx, entity, null, id));
            app.MapPost($"/api/v4/{entity}/custom_fields", Handlers.Async(ctx => Create(ctx, entity)));
            app.MapDelete($"/api/v4/{entity}/custom_fields/{{id:long}}", (HttpContext ctx, long id) => Delete(ctx, entity, id));
            app.MapGet($"/api/v4/{entity}/tags", (HttpContext ctx) => Tags(ctx, entity));
            app.MapPost($"/api/v4/{entity}/tags", Handlers.Async(ctx => CreateTags(ctx, entity)));
        }
        app.MapGet("/api/v4/catalogs/{catalogId:long}/custom_fields", (HttpContext ctx, long catalogId) => List(ctx, "catalogs", catalogId));
        app.MapGet("/api/v4/catalogs/{catalogId:long}/custom_fields/{id:long}", (HttpContext ctx, long catalogId, long id) => One(ctx, "catalogs", catalogId, id));
    }

    private static List<SandboxField> FieldsOf(SandboxAccount a, string entity, long? catalogId) =>
        entity == "catalogs"
            ? (a.Catalog(catalogId!.Value) ?? throw Problems.Error(404, "Catalog not found")).Fields
            : a.Fields[entity];

    private static IResult List(HttpContext ctx, string entity, long? catalogId)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        // amoCRM returns at most 50 fields per page whatever limit asks for (API-NOTES §7.1).
        var requested = Paging.From(ctx, rt.Options.MaxLimit);
        var paging = requested with { Limit = Math.Min(requested.Limit, rt.Options.CustomFieldsPageSize) };
        var types = ctx.QueryValues("filter[type]");
        lock (a.Gate)
        {
            IEnumerable<SandboxField> q = FieldsOf(a, entity, catalogId).OrderBy(f => f.Sort).ThenBy(f => f.Id);
            if (types.Count > 0) q = q.Where(f => types.Contains(f.Type));
            var all = q.ToList();
            var (items, hasNext) = paging.Slice(all);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            var page = Views.Page(ctx, "custom_fields", items.Select(JsonNode (f) => Views.Field(a, f, baseUrl)), paging.Page, hasNext);
            page["_total_items"] = all.Count;
            page["_page_count"] = (all.Count + paging.Limit - 1) / paging.Limit;
            return Hal.Ok(page);
        }
    }

    private static IResult One(HttpContext ctx, string entity, long? catalogId, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var f = FieldsOf(a, entity, catalogId).FirstOrDefault(x => x.Id == id);
            return f is null ? Hal.NoContent() : Hal.Ok(Views.Field(a, f, ctx.BaseUrl()));
        }
    }

    /// <summary>
    /// Deletes a field as an admin does in the account's settings: its values go with it from every entity, and a
    /// write naming it afterwards is refused (the field id is no longer a valid choice).
    /// </summary>
    private static IResult Delete(HttpContext ctx, string entity, long id)
    {
        DeleteField(ctx.Account(), entity, id);
        return Results.NoContent();
    }

    /// <summary>Deletes a field and its values everywhere (the API route, and the control API's stand-in for the settings page).</summary>
    public static void DeleteField(SandboxAccount a, string entity, long id)
    {
        if (!a.Fields.ContainsKey(entity)) throw Problems.Error(404, "No such entity");
        lock (a.Gate)
        {
            var field = a.Fields[entity].FirstOrDefault(f => f.Id == id) ?? throw Problems.Error(404, "Field not found");
            if (field.Type == "tracking_data" || field.Code is "PHONE" or "EMAIL") throw Problems.Error(403, "This field cannot be deleted");
            a.Fields[entity].Remove(field);
            IEnumerable<JsonArray?> values = entity switch
            {
                "leads" => a.Leads.Values.Select(l => l.CustomFields),
                "contacts" => a.Contacts.Values.Select(c => c.CustomFields),
                _ => a.Companies.Values.Select(c => c.CustomFields),
            };
            foreach (var list in values.OfType<JsonArray>())
                foreach (var value in list.Where(v => v?["field_id"]?.GetValue<long>() == id).ToList()) list.Remove(value);
            foreach (var lead in a.Leads.Values.Where(l => l.CustomFields is { Count: 0 })) lead.CustomFields = null;
            foreach (var party in a.Contacts.Values.Concat(a.Companies.Values).Where(p => p.CustomFields is { Count: 0 })) party.CustomFields = null;
        }
    }

    private static async Task<IResult> Create(HttpContext ctx, string entity)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var created = new List<(SandboxField F, string RequestId)>();
        lock (a.Gate)
        {
            var invalid = new List<(string, IReadOnlyList<FieldError>)>();
            var plans = new List<(JsonObject O, string RequestId)>();
            for (var i = 0; i < items.Count; i++)
            {
                var o = items[i];
                var requestId = LeadsEndpoints.RequestId(o, i);
                var errors = new List<FieldError>();
                if (!SandboxJson.TryGetString(o["name"], out var name) || name.Trim().Length == 0)
                    errors.Add(new("NotBlank", "name", "This value should not be blank."));
                if (!SandboxJson.TryGetString(o["type"], out var type) || !TypesByEntity[entity].Contains(type))
                    errors.Add(new("NotSupportedChoice", "type", "The value you selected is not a valid choice."));
                else if (EnumTypes.Contains(type) && o["enums"] is not JsonArray { Count: > 0 })
                    errors.Add(new("NotBlank", "enums", "This value should not be blank."));
                if (SandboxJson.TryGetString(o["code"], out var code) && a.Fields[entity].Any(f => string.Equals(f.Code, code, StringComparison.OrdinalIgnoreCase)))
                    errors.Add(new("NotUnique", "code", "A field with this code already exists."));
                if (errors.Count > 0) invalid.Add((requestId, errors));
                else plans.Add((o, requestId));
            }
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            foreach (var (o, requestId) in plans)
            {
                var field = new SandboxField
                {
                    Id = rt.State.NextId("field"),
                    Name = o["name"]!.GetValue<string>().Trim(),
                    Type = o["type"]!.GetValue<string>(),
                    Code = SandboxJson.TryGetString(o["code"], out var c) ? c : null,
                    Sort = SandboxJson.TryGetLong(o["sort"], out var s) ? (int)s : 500 + a.Fields[entity].Count,
                    EntityType = entity,
                    IsApiOnly = o["is_api_only"] is JsonValue v && v.TryGetValue<bool>(out var apiOnly) && apiOnly,
                };
                if (o["enums"] is JsonArray enums)
                    foreach (var (e, idx) in enums.OfType<JsonObject>().Select((e, idx) => (e, idx)))
                        field.Enums.Add(new SandboxEnum
                        {
                            Id = rt.State.NextId("enum"),
                            Value = SandboxJson.TryGetString(e["value"], out var ev) ? ev : "",
                            Sort = SandboxJson.TryGetLong(e["sort"], out var es) ? (int)es : (idx + 1) * 10,
                        });
                a.Fields[entity].Add(field);
                created.Add((field, requestId));
            }
        }
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_total_items"] = created.Count,
            ["_embedded"] = new JsonObject
            {
                ["custom_fields"] = new JsonArray(created.Select(JsonNode (c) =>
                {
                    var view = Views.Field(a, c.F, baseUrl);
                    view["request_id"] = c.RequestId;
                    return view;
                }).ToArray()),
            },
        }, 201); // custom field creates answer 201 (API-NOTES §3)
    }

    private static IResult Tags(HttpContext ctx, string entity)
    {
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var name = ctx.Request.Query["filter[name]"].ToString();
        var ids = ctx.QueryLongs("filter[id]");
        var query = ctx.Request.Query["query"].ToString();
        lock (a.Gate)
        {
            IEnumerable<SandboxTag> q = a.Tags[entity];
            if (name.Length > 0) q = q.Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
            if (ids.Count > 0) q = q.Where(t => ids.Contains(t.Id));
            if (query.Length > 0) q = q.Where(t => t.Name.Contains(query, StringComparison.OrdinalIgnoreCase));
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            return Hal.Ok(Views.Page(ctx, "tags", items.Select(JsonNode (t) => Views.Tag(t, entity)), paging.Page, hasNext));
        }
    }

    private static async Task<IResult> CreateTags(HttpContext ctx, string entity)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var result = new JsonArray();
        lock (a.Gate)
        {
            var invalid = new List<(string, IReadOnlyList<FieldError>)>();
            for (var i = 0; i < items.Count; i++)
            {
                var requestId = LeadsEndpoints.RequestId(items[i], i);
                if (!SandboxJson.TryGetString(items[i]["name"], out var name) || name.Trim().Length == 0)
                    invalid.Add((requestId, [new FieldError("NotBlank", "name", "This value should not be blank.")]));
                else if (a.Tags[entity].Any(t => string.Equals(t.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)))
                    invalid.Add((requestId, [new FieldError("NotUnique", "name", "A tag with this name already exists.")]));
            }
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            for (var i = 0; i < items.Count; i++)
            {
                var tag = new SandboxTag
                {
                    Id = rt.State.NextId("tag"),
                    Name = items[i]["name"]!.GetValue<string>().Trim(),
                    Color = SandboxJson.TryGetString(items[i]["color"], out var color) ? color : null,
                };
                a.Tags[entity].Add(tag);
                var view = Views.Tag(tag, entity);
                view["request_id"] = LeadsEndpoints.RequestId(items[i], i);
                result.Add(view);
            }
        }
        return Hal.Ok(new JsonObject
        {
            ["_total_items"] = result.Count, // as in amoCRM's documented answer (tags-api-03)
            ["_links"] = SandboxJson.Links($"{ctx.BaseUrl()}/api/v4/{entity}/tags"),
            ["_embedded"] = new JsonObject { ["tags"] = result },
        });
    }
}
