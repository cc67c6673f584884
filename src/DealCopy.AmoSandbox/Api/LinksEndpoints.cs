using System.Globalization;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Lead links to contacts, companies and products, one lead or in bulk (API-NOTES §5, §13).</summary>
public static class LinksEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/leads/{id:long}/links", GetOne);
        app.MapPost("/api/v4/leads/{id:long}/link", (HttpContext ctx, long id) => Change(ctx, id, link: true));
        app.MapPost("/api/v4/leads/{id:long}/unlink", (HttpContext ctx, long id) => Change(ctx, id, link: false));
        app.MapGet("/api/v4/leads/links", GetMany);
        app.MapPost("/api/v4/leads/link", Handlers.Async(ctx => Change(ctx, null, link: true)));
        app.MapPost("/api/v4/leads/unlink", Handlers.Async(ctx => Change(ctx, null, link: false)));
    }

    private static IEnumerable<JsonObject> LinksOf(SandboxLead l)
    {
        foreach (var c in l.Contacts)
            yield return Link(l.Id, c.ContactId, "contacts", new JsonObject { ["main_contact"] = c.IsMain });
        if (l.CompanyId is { } k)
            yield return Link(l.Id, k, "companies", null);
        foreach (var p in l.Products)
            yield return Link(l.Id, p.ElementId, "catalog_elements", new JsonObject { ["quantity"] = p.Quantity, ["catalog_id"] = p.CatalogId, ["price_id"] = p.PriceId });
    }

    private static JsonObject Link(long leadId, long to, string type, JsonObject? metadata) => new()
    {
        ["entity_id"] = leadId,
        ["entity_type"] = "leads",
        ["to_entity_id"] = to,
        ["to_entity_type"] = type,
        ["metadata"] = metadata,
    };

    private static IEnumerable<JsonObject> Filter(HttpContext ctx, IEnumerable<JsonObject> links)
    {
        var toId = ctx.QueryLong("filter[to_entity_id]");
        var toType = ctx.Request.Query["filter[to_entity_type]"].ToString();
        var toCatalog = ctx.QueryLong("filter[to_catalog_id]");
        if (toId is not null) links = links.Where(l => l["to_entity_id"]!.GetValue<long>() == toId);
        if (toType.Length > 0) links = links.Where(l => l["to_entity_type"]!.GetValue<string>() == toType);
        if (toCatalog is not null) links = links.Where(l => l["metadata"]?["catalog_id"]?.GetValue<long>() == toCatalog);
        return links;
    }

    private static IResult Answer(HttpContext ctx, List<JsonObject> links, string self)
    {
        if (links.Count == 0) return Hal.NoContent();
        return Hal.Ok(new JsonObject
        {
            ["_total_items"] = links.Count,
            ["_links"] = SandboxJson.Links(ctx.BaseUrl() + self),
            ["_embedded"] = new JsonObject { ["links"] = new JsonArray(links.Select(JsonNode (l) => l).ToArray()) },
        });
    }

    private static IResult GetOne(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (!a.Leads.TryGetValue(id, out var lead) || lead.IsDeleted) return Hal.NoContent();
            return Answer(ctx, Filter(ctx, LinksOf(lead)).ToList(), $"/api/v4/leads/{id}/links");
        }
    }

    private static IResult GetMany(HttpContext ctx)
    {
        var ids = ctx.QueryLongs("filter[entity_id]");
        if (ids.Count == 0)
            throw Problems.Validation("0", new FieldError("NotBlank", "filter.entity_id", "This value should not be blank."));
        if (ids.Count > ctx.Runtime().Options.MaxBatch) throw Problems.Error(422, $"Limit {ctx.Runtime().Options.MaxBatch} per page");
        var a = ctx.Account();
        lock (a.Gate)
        {
            var links = ids.Distinct().Where(a.Leads.ContainsKey).SelectMany(id => LinksOf(a.Leads[id]));
            return Answer(ctx, Filter(ctx, links).ToList(), "/api/v4/leads/links");
        }
    }

    private static async Task<IResult> Change(HttpContext ctx, long? leadId, bool link)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var applied = new List<JsonObject>();
        lock (a.Gate)
        {
            var plans = new List<(string RequestId, List<FieldError> Errors, Action? Apply, JsonObject? View)>();
            for (var i = 0; i < items.Count; i++)
                plans.Add(Plan(a, items[i], leadId, i, link));
            var invalid = plans.Where(p => p.Errors.Count > 0).Select(p => (p.RequestId, (IReadOnlyList<FieldError>)p.Errors)).ToList();
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            foreach (var p in plans)
            {
                p.Apply!();
                if (p.View is not null) applied.Add(p.View);
            }
            var now = rt.Clock.UnixNow;
            foreach (var id in items.Select(o => leadId ?? o["entity_id"]!.GetValue<long>()).Distinct()) a.Leads[id].UpdatedAt = now;
        }
        if (!link) return Hal.NoContent();
        return Hal.Ok(new JsonObject
        {
            ["_total_items"] = applied.Count, // as in amoCRM's documented link answers (entity-links-api-03, -06)
            ["_links"] = SandboxJson.Links(ctx.BaseUrl() + ctx.Request.Path),
            ["_embedded"] = new JsonObject { ["links"] = new JsonArray(applied.Select(JsonNode (l) => l).ToArray()) },
        });
    }

    private static (string, List<FieldError>, Action?, JsonObject?) Plan(SandboxAccount a, JsonObject o, long? leadId, int index, bool link)
    {
        var requestId = index.ToString(CultureInfo.InvariantCulture);
        var errors = new List<FieldError>();
        long id;
        if (leadId is { } fixedId) id = fixedId;
        else if (!SandboxJson.TryGetLong(o["entity_id"], out id))
        {
            errors.Add(new("NotBlank", "entity_id", "This value should not be blank."));
            return (requestId, errors, null, null);
        }
        if (!a.Leads.TryGetValue(id, out var lead) || lead.IsDeleted)
        {
            errors.Add(new("NotSupportedChoice", "entity_id", "The value you selected is not a valid choice."));
            return (requestId, errors, null, null);
        }
        if (!SandboxJson.TryGetLong(o["to_entity_id"], out var to))
            errors.Add(new("NotBlank", "to_entity_id", "This value should not be blank."));
        var type = SandboxJson.TryGetString(o["to_entity_type"], out var t) ? t : "";
        var metadata = o["metadata"] as JsonObject;
        if (errors.Count > 0) return (requestId, errors, null, null);

        switch (type)
        {
            case "contacts":
                if (!a.Contacts.ContainsKey(to)) return Fail("to_entity_id");
                var isMain = metadata?["is_main"] is JsonValue m && m.TryGetValue<bool>(out var mv) && mv;
                return (requestId, errors, link
                    ? () =>
                    {
                        var existing = lead.Contacts.FirstOrDefault(c => c.ContactId == to);
                        if (existing is null) lead.Contacts.Add(existing = new ContactLink { ContactId = to });
                        if (isMain || lead.Contacts.Count == 1)
                            foreach (var c in lead.Contacts) c.IsMain = c.ContactId == to;
                    }
                    : () =>
                    {
                        var removed = lead.Contacts.RemoveAll(c => c.ContactId == to) > 0;
                        if (removed && lead.Contacts.Count > 0 && lead.Contacts.All(c => !c.IsMain)) lead.Contacts[0].IsMain = true;
                    },
                    Link(id, to, "contacts", new JsonObject { ["main_contact"] = isMain }));
            case "companies":
                if (!a.Companies.ContainsKey(to)) return Fail("to_entity_id");
                return (requestId, errors, link
                    ? () => lead.CompanyId = to
                    : () => { if (lead.CompanyId == to) lead.CompanyId = null; },
                    Link(id, to, "companies", null));
            case "catalog_elements":
            {
                if (!a.CatalogElements.TryGetValue(to, out var el) || el.IsDeleted) return Fail("to_entity_id");
                if (!SandboxJson.TryGetLong(metadata?["catalog_id"], out var catalogId) || catalogId != el.CatalogId)
                    return Fail("metadata.catalog_id");
                decimal quantity = 1;
                if (metadata?["quantity"] is JsonValue qv && (!qv.TryGetValue(out quantity) || quantity <= 0))
                    return Fail("metadata.quantity", "InvalidType", "The quantity must be a positive number.");
                long? priceId = null;
                if (metadata?["price_id"] is { } pn && !SandboxJson.IsNull(pn))
                {
                    if (!SandboxJson.TryGetLong(pn, out var pid) || a.Catalog(catalogId)?.Fields.Any(f => f.Id == pid && f.Type == "price") != true)
                        return Fail("metadata.price_id");
                    priceId = pid;
                }
                return (requestId, errors, link
                    ? () =>
                    {
                        var existing = lead.Products.FirstOrDefault(p => p.ElementId == to);
                        if (existing is null) lead.Products.Add(new ProductLink { ElementId = to, CatalogId = catalogId, Quantity = quantity, PriceId = priceId });
                        else { existing.Quantity = quantity; existing.PriceId = priceId; }
                    }
                    : () => lead.Products.RemoveAll(p => p.ElementId == to),
                    Link(id, to, "catalog_elements", new JsonObject { ["quantity"] = quantity, ["catalog_id"] = catalogId, ["price_id"] = priceId }));
            }
            default:
                return Fail("to_entity_type");
        }

        (string, List<FieldError>, Action?, JsonObject?) Fail(string path, string code = "NotSupportedChoice", string detail = "The value you selected is not a valid choice.")
        {
            errors.Add(new(code, path, detail));
            return (requestId, errors, null, null);
        }
    }
}
