using System.Globalization;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Control;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Leads: read one, list with filters, create, update, complex add (API-NOTES §4).</summary>
public static class LeadsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/leads/{id:long}", GetOne);
        app.MapGet("/api/v4/leads", List);
        app.MapPost("/api/v4/leads", Handlers.Async(Create));
        app.MapPatch("/api/v4/leads", Handlers.Async(UpdateMany));
        app.MapPatch("/api/v4/leads/{id:long}", UpdateOne);
        app.MapPost("/api/v4/leads/complex", Handlers.Async(Complex));
    }

    private static IResult GetOne(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            // amoCRM answers 204 with an empty body for a deal that does not exist (API-NOTES §3).
            // A deal the acting user may not see is answered like a missing one.
            if (!a.Leads.TryGetValue(id, out var lead) || lead.IsDeleted || !a.CanView(ctx.ActingUser(), lead)) return Hal.NoContent();
            return Hal.Ok(Views.Lead(a, lead, ctx.With(), ctx.BaseUrl()));
        }
    }

    private static IResult List(HttpContext ctx)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var paging = Paging.From(ctx, rt.Options.MaxLimit);
        var ids = ctx.QueryLongs("filter[id]");
        var pipelines = ctx.QueryLongs("filter[pipeline_id]");
        var responsible = ctx.QueryLongs("filter[responsible_user_id]");
        var createdBy = ctx.QueryLongs("filter[created_by]");
        var name = ctx.QueryValues("filter[name]");
        var statusPairs = StatusFilter(ctx);
        var ranges = new[] { "created_at", "updated_at", "closed_at" }
            .Select(f => (Field: f, From: ctx.QueryLong($"filter[{f}][from]"), To: ctx.QueryLong($"filter[{f}][to]"))).ToList();
        var price = (From: ctx.QueryLong("filter[price][from]"), To: ctx.QueryLong("filter[price][to]"));
        var with = ctx.With();
        var onlyDeleted = with.Contains("only_deleted");
        var actor = ctx.ActingUser();
        lock (a.Gate)
        {
            IEnumerable<SandboxLead> q = a.Leads.Values.Where(l => l.IsDeleted == onlyDeleted && a.CanView(actor, l));
            if (ids.Count > 0) q = q.Where(l => ids.Contains(l.Id));
            if (pipelines.Count > 0) q = q.Where(l => pipelines.Contains(l.PipelineId));
            if (responsible.Count > 0) q = q.Where(l => responsible.Contains(l.ResponsibleUserId));
            if (createdBy.Count > 0) q = q.Where(l => createdBy.Contains(l.CreatedBy));
            if (name.Count > 0) q = q.Where(l => name.Any(n => l.Name.Contains(n, StringComparison.OrdinalIgnoreCase)));
            if (statusPairs.Count > 0) q = q.Where(l => statusPairs.Any(s => s.Pipeline == l.PipelineId && (s.Status is null || s.Status == l.StatusId)));
            foreach (var (field, from, to) in ranges)
            {
                if (from is null && to is null) continue;
                Func<SandboxLead, long?> get = field switch { "created_at" => l => l.CreatedAt, "updated_at" => l => l.UpdatedAt, _ => l => l.ClosedAt };
                q = q.Where(l => get(l) is { } v && (from is null || v >= from) && (to is null || v <= to));
            }
            if (price.From is not null || price.To is not null)
                q = q.Where(l => (price.From is null || l.Price >= price.From) && (price.To is null || l.Price <= price.To));
            q = Order(ctx, q);
            var (items, hasNext) = paging.Slice(q);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(Views.Page(ctx, "leads", items.Select(JsonNode (l) => Views.Lead(a, l, with, baseUrl)), paging.Page, hasNext));
        }
    }

    private static List<(long Pipeline, long? Status)> StatusFilter(HttpContext ctx)
    {
        var list = new List<(long, long?)>();
        for (var i = 0; i < 100; i++)
        {
            var p = ctx.QueryLong($"filter[statuses][{i}][pipeline_id]");
            if (p is null) break;
            list.Add((p.Value, ctx.QueryLong($"filter[statuses][{i}][status_id]")));
        }
        return list;
    }

    private static IEnumerable<SandboxLead> Order(HttpContext ctx, IEnumerable<SandboxLead> q)
    {
        foreach (var (field, get) in new (string, Func<SandboxLead, long>)[] { ("id", l => l.Id), ("created_at", l => l.CreatedAt), ("updated_at", l => l.UpdatedAt) })
        {
            var dir = ctx.Request.Query[$"order[{field}]"].ToString();
            if (dir.Length == 0) continue;
            if (dir is not ("asc" or "desc"))
                throw Problems.Validation("0", new FieldError("NotSupportedChoice", $"order.{field}", "The value you selected is not a valid choice."));
            return dir == "asc" ? q.OrderBy(get).ThenBy(l => l.Id) : q.OrderByDescending(get).ThenByDescending(l => l.Id);
        }
        return q.OrderBy(l => l.Id);
    }

    private static async Task<IResult> Create(HttpContext ctx)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxBatch);
        var userId = ctx.Grant().UserId;
        var created = new List<(SandboxLead Lead, string RequestId)>();
        lock (a.Gate)
        {
            var writer = new LeadWriter(a, rt);
            var plans = items.Select((o, i) => writer.Plan(o, null, RequestId(o, i), userId)).ToList();
            ThrowIfInvalid(plans);
            foreach (var plan in plans) created.Add((writer.Apply(plan), plan.RequestId));
        }
        HookSender.Of(ctx).LeadsEntered(a, created.Select(c => (c.Lead.Id, c.Lead.PipelineId, c.Lead.StatusId)).ToList());
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads"),
            ["_embedded"] = new JsonObject
            {
                ["leads"] = new JsonArray(created.Select(JsonNode (c) => new JsonObject
                {
                    ["id"] = c.Lead.Id,
                    ["request_id"] = c.RequestId,
                    ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/{c.Lead.Id}"),
                }).ToArray()),
            },
        });
    }

    private static async Task<IResult> UpdateMany(HttpContext ctx)
    {
        var items = await ctx.JsonArrayBody(ctx.Runtime().Options.MaxBatch);
        var updated = Update(ctx, items);
        var baseUrl = ctx.BaseUrl();
        return Hal.Ok(new JsonObject
        {
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads"),
            ["_embedded"] = new JsonObject { ["leads"] = new JsonArray(updated.Select(JsonNode (l) => UpdatedView(l, baseUrl)).ToArray()) },
        });
    }

    private static async Task<IResult> UpdateOne(HttpContext ctx, long id)
    {
        if (await ctx.JsonBody() is not JsonObject o)
            throw Problems.Validation("0", new FieldError("InvalidType", "", "This value should be of type object."));
        o["id"] = id;
        var updated = Update(ctx, [o]);
        return Hal.Ok(UpdatedView(updated[0], ctx.BaseUrl()));
    }

    private static JsonObject UpdatedView(SandboxLead l, string baseUrl) => new()
    {
        ["id"] = l.Id,
        ["updated_at"] = l.UpdatedAt,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/{l.Id}"),
    };

    private static List<SandboxLead> Update(HttpContext ctx, List<JsonObject> items)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var userId = ctx.Grant().UserId;
        var moved = new List<(long, long, long)>();
        var updated = new List<SandboxLead>();
        lock (a.Gate)
        {
            var writer = new LeadWriter(a, rt);
            var plans = new List<LeadWriter.LeadPlan>();
            for (var i = 0; i < items.Count; i++)
            {
                var o = items[i];
                var requestId = RequestId(o, i);
                if (!SandboxJson.TryGetLong(o["id"], out var id))
                {
                    plans.Add(LeadWriter.Invalid(requestId, new FieldError("NotBlank", "id", "This value should not be blank.")));
                    continue;
                }
                if (!a.Leads.TryGetValue(id, out var lead) || lead.IsDeleted)
                {
                    plans.Add(LeadWriter.Invalid(requestId, new FieldError("NotSupportedChoice", "id", "The value you selected is not a valid choice.")));
                    continue;
                }
                plans.Add(writer.Plan(o, lead, requestId, userId));
            }
            // amoCRM answers a loss reason on an open lead with its second error shape (API-NOTES §3, §4.4).
            if (plans.All(p => p.Errors.All(e => e.Code == "LossReasonNotLost")) && plans.Any(p => p.Errors.Count > 0))
                throw Problems.EntityErrors(plans.Where(p => p.Errors.Count > 0)
                    .ToDictionary(p => p.Existing!.Id.ToString(CultureInfo.InvariantCulture), _ => "Loss reason can be specified only for lost lead"));
            ThrowIfInvalid(plans);
            foreach (var plan in plans)
            {
                var before = (plan.Existing!.PipelineId, plan.Existing.StatusId);
                var lead = writer.Apply(plan);
                updated.Add(lead);
                if (before != (lead.PipelineId, lead.StatusId)) moved.Add((lead.Id, lead.PipelineId, lead.StatusId));
            }
        }
        HookSender.Of(ctx).LeadsEntered(a, moved);
        return updated;
    }

    private static async Task<IResult> Complex(HttpContext ctx)
    {
        var a = ctx.Account();
        var rt = ctx.Runtime();
        var items = await ctx.JsonArrayBody(rt.Options.MaxComplexBatch);
        var userId = ctx.Grant().UserId;
        var results = new JsonArray();
        var entered = new List<(long, long, long)>();
        lock (a.Gate)
        {
            var writer = new LeadWriter(a, rt);
            var parties = new PartyWriter(a, rt);
            var plans = new List<(LeadWriter.LeadPlan Lead, PartyWriter.PartyPlan? Contact, PartyWriter.PartyPlan? Company, long? ContactId, long? CompanyId, bool Unsorted)>();
            for (var i = 0; i < items.Count; i++)
            {
                var o = items[i];
                var requestId = RequestId(o, i);
                var errors = new List<FieldError>();
                var embedded = o["_embedded"] as JsonObject;
                var (contactPlan, contactId) = ComplexParty(parties, embedded?["contacts"], "contacts", requestId, userId, errors);
                var (companyPlan, companyId) = ComplexParty(parties, embedded?["companies"], "companies", requestId, userId, errors);
                if (o["custom_fields_values"] is JsonArray cf && cf.Count > rt.Options.MaxComplexFieldValues)
                    errors.Add(new("InvalidCount", "custom_fields_values", $"This collection should contain {rt.Options.MaxComplexFieldValues} elements or less."));
                var unsorted = embedded?["metadata"] is JsonObject;
                var leadJson = (JsonObject)o.DeepClone();
                if (leadJson["_embedded"] is JsonObject e)
                {
                    e.Remove("contacts");
                    e.Remove("companies");
                    e.Remove("metadata");
                }
                if (unsorted) leadJson.Remove("status_id");
                var plan = writer.Plan(leadJson, null, requestId, userId);
                plan.Errors.InsertRange(0, errors);
                plans.Add((plan, contactPlan, companyPlan, contactId, companyId, unsorted));
            }
            ThrowIfInvalid(plans.Select(p => p.Lead));
            foreach (var p in plans)
            {
                var companyId = p.CompanyId ?? (p.Company is null ? null : parties.Apply(p.Company).Id);
                var contactId = p.ContactId ?? (p.Contact is null ? null : parties.Apply(p.Contact).Id);
                if (contactId is { } cid && companyId is { } kid && p.Contact is not null) a.Contacts[cid].CompanyId = kid;
                var lead = writer.Apply(p.Lead);
                if (p.Unsorted)
                {
                    lead.StatusId = a.Pipeline(lead.PipelineId)!.Statuses.First(s => s.Type == 1).Id;
                }
                if (contactId is { } c2) lead.Contacts.Add(new ContactLink { ContactId = c2, IsMain = true });
                if (companyId is { } k2) lead.CompanyId = k2;
                if (!p.Unsorted) entered.Add((lead.Id, lead.PipelineId, lead.StatusId));
                results.Add(new JsonObject
                {
                    ["id"] = lead.Id,
                    ["contact_id"] = contactId,
                    ["company_id"] = companyId,
                    ["request_id"] = new JsonArray(p.Lead.RequestId),
                    ["merged"] = false,
                });
            }
        }
        HookSender.Of(ctx).LeadsEntered(a, entered);
        return Hal.Ok(results);
    }

    private static (PartyWriter.PartyPlan? Plan, long? ExistingId) ComplexParty(PartyWriter parties, JsonNode? node, string kind, string requestId, long userId, List<FieldError> errors)
    {
        if (node is null) return (null, null);
        if (node is not JsonArray arr || arr.Count > 1)
        {
            errors.Add(new("InvalidCount", $"_embedded.{kind}", "This collection should contain 1 element or less."));
            return (null, null);
        }
        if (arr.Count == 0 || arr[0] is not JsonObject o) return (null, null);
        if (SandboxJson.TryGetLong(o["id"], out var id))
        {
            if (!parties.Exists(kind, id)) errors.Add(new("NotSupportedChoice", $"_embedded.{kind}.0.id", "The value you selected is not a valid choice."));
            return (null, id);
        }
        var plan = parties.Plan(kind, o, requestId, userId);
        errors.AddRange(plan.Errors.Select(e => e with { Path = $"_embedded.{kind}.0.{e.Path}" }));
        return (plan, null);
    }

    internal static string RequestId(JsonObject o, int index) =>
        o["request_id"] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : index.ToString(CultureInfo.InvariantCulture);

    internal static void ThrowIfInvalid(IEnumerable<LeadWriter.LeadPlan> plans)
    {
        var invalid = plans.Where(p => p.Errors.Count > 0)
            .Select(p => (p.RequestId, (IReadOnlyList<FieldError>)p.Errors.Select(e => e.Code == "LossReasonNotLost"
                ? e with { Code = "NotSupportedChoice" } : e).ToList()))
            .ToList();
        if (invalid.Count > 0) throw Problems.Validation(invalid);
    }
}
