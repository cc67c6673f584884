using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Contacts and companies: read one, list, create (API-NOTES §6).</summary>
public static class PartiesEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var kind in new[] { "contacts", "companies" })
        {
            app.MapGet($"/api/v4/{kind}/{{id:long}}", (HttpContext ctx, long id) => GetOne(ctx, kind, id));
            app.MapGet($"/api/v4/{kind}", (HttpContext ctx) => List(ctx, kind));
            app.MapPost($"/api/v4/{kind}", Handlers.Async(ctx => Create(ctx, kind)));
        }
    }

    private static IResult GetOne(HttpContext ctx, string kind, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (!a.Parties(kind).TryGetValue(id, out var p) || p.IsDeleted) return Hal.NoContent();
            return Hal.Ok(Views.Party(a, p, ctx.With(), ctx.BaseUrl()));
        }
    }

    private static IResult List(HttpContext ctx, string kind)
    {
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var ids = ctx.QueryLongs("filter[id]");
        var query = ctx.Request.Query["query"].ToString();
        var with = ctx.With();
        lock (a.Gate)
        {
            IEnumerable<SandboxParty> q = a.Parties(kind).Values.Where(p => !p.IsDeleted);
            if (ids.Count > 0) q = q.Where(p => ids.Contains(p.Id));
            if (query.Length > 0) q = q.Where(p => p.Name.Contains(query, StringComparison.OrdinalIgnoreCase) ||
                                                   (p.CustomFields?.ToJsonString().Contains(query, StringComparison.OrdinalIgnoreCase) ?? false));
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, kind, items.Select(JsonNode (p) => Views.Party(a, p, with, baseUrl)), paging.Page, hasNext));
        }
    }

    private static async Task<IResult> Create(HttpContext ctx, string kind)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var userId = ctx.Grant().UserId;
        var created = new List<(SandboxParty P, string RequestId)>();
        lock (a.Gate)
        {
            var writer = new PartyWriter(a, rt);
            var plans = items.Select((o, i) => writer.Plan(kind, o, LeadsEndpoints.RequestId(o, i), userId)).ToList();
            var invalid = plans.Where(p => p.Errors.Count > 0).Select(p => (p.RequestId, (IReadOnlyList<FieldError>)p.Errors)).ToList();
            if (invalid.Count > 0) throw Problems.Validation(invalid);
            foreach (var plan in plans) created.Add((writer.Apply(plan), plan.RequestId));
        }
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{kind}"),
            ["_embedded"] = new JsonObject
            {
                [kind] = new JsonArray(created.Select(JsonNode (c) => new JsonObject
                {
                    ["id"] = c.P.Id,
                    ["request_id"] = c.RequestId,
                    ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{kind}/{c.P.Id}"),
                }).ToArray()),
            },
        });
    }
}
