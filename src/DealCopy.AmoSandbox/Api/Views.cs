using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>The read shapes amoCRM answers with (API-NOTES §4.2, §6, §7.1, §8, §9, §11, §12, §13).</summary>
public static class Views
{
    public static JsonObject Lead(SandboxAccount a, SandboxLead l, ISet<string> with, string baseUrl)
    {
        var embedded = new JsonObject
        {
            ["tags"] = Tags(a, "leads", l.TagIds),
            ["companies"] = l.CompanyId is { } c
                ? new JsonArray(new JsonObject { ["id"] = c, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/companies/{c}") })
                : new JsonArray(),
        };
        if (with.Contains("contacts"))
            embedded["contacts"] = new JsonArray(l.Contacts.Select(JsonNode (x) => new JsonObject
            {
                ["id"] = x.ContactId, ["is_main"] = x.IsMain,
                ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/contacts/{x.ContactId}"),
            }).ToArray());
        if (with.Contains("catalog_elements"))
            embedded["catalog_elements"] = new JsonArray(l.Products.Select(JsonNode (p) => new JsonObject
            {
                ["id"] = p.ElementId,
                ["metadata"] = new JsonObject { ["quantity"] = p.Quantity, ["catalog_id"] = p.CatalogId, ["price_id"] = p.PriceId },
            }).ToArray());
        if (with.Contains("loss_reason"))
            embedded["loss_reason"] = new JsonArray(a.LossReasons.Where(r => r.Id == l.LossReasonId).Select(JsonNode (r) => LossReason(r, baseUrl)).ToArray());
        if (with.Contains("source") && l.SourceId is { } sid)
            embedded["source"] = new JsonObject { ["id"] = sid, ["name"] = "API" };

        var o = new JsonObject
        {
            ["id"] = l.Id,
            ["name"] = l.Name,
            ["price"] = l.Price,
            ["responsible_user_id"] = l.ResponsibleUserId,
            ["group_id"] = l.GroupId,
            ["status_id"] = l.StatusId,
            ["pipeline_id"] = l.PipelineId,
            ["loss_reason_id"] = l.LossReasonId,
        };
        if (with.Contains("source_id")) o["source_id"] = l.SourceId;
        o["created_by"] = l.CreatedBy;
        o["updated_by"] = l.UpdatedBy;
        o["created_at"] = l.CreatedAt;
        o["updated_at"] = l.UpdatedAt;
        o["closed_at"] = l.ClosedAt;
        o["closest_task_at"] = a.Tasks.Values.Where(t => t.EntityType == "leads" && t.EntityId == l.Id && !t.IsCompleted)
            .Select(t => (long?)t.CompleteTill).Min();
        o["is_deleted"] = l.IsDeleted;
        o["custom_fields_values"] = l.CustomFields?.DeepClone();
        o["score"] = l.Score;
        o["account_id"] = a.Id;
        o["labor_cost"] = l.LaborCost;
        o["is_price_modified_by_robot"] = false;
        o["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/{l.Id}");
        o["_embedded"] = embedded;
        return o;
    }

    public static JsonObject Party(SandboxAccount a, SandboxParty p, ISet<string> with, string baseUrl)
    {
        var embedded = new JsonObject { ["tags"] = Tags(a, p.Kind, p.TagIds) };
        if (p.Kind == "contacts")
            embedded["companies"] = p.CompanyId is { } c
                ? new JsonArray(new JsonObject { ["id"] = c, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/companies/{c}") })
                : new JsonArray();
        if (with.Contains("leads"))
        {
            var leads = a.Leads.Values.Where(l => p.Kind == "contacts" ? l.Contacts.Any(x => x.ContactId == p.Id) : l.CompanyId == p.Id);
            embedded["leads"] = new JsonArray(leads.Select(JsonNode (l) => new JsonObject { ["id"] = l.Id, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/{l.Id}") }).ToArray());
        }
        if (p.Kind == "companies" && with.Contains("contacts"))
            embedded["contacts"] = new JsonArray(a.Contacts.Values.Where(c => c.CompanyId == p.Id)
                .Select(JsonNode (c) => new JsonObject { ["id"] = c.Id, ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/contacts/{c.Id}") }).ToArray());
        var o = new JsonObject
        {
            ["id"] = p.Id,
            ["name"] = p.Name,
        };
        if (p.Kind == "contacts")
        {
            o["first_name"] = p.FirstName ?? "";
            o["last_name"] = p.LastName ?? "";
        }
        o["responsible_user_id"] = p.ResponsibleUserId;
        o["group_id"] = p.GroupId;
        o["created_by"] = p.CreatedBy;
        o["updated_by"] = p.UpdatedBy;
        o["created_at"] = p.CreatedAt;
        o["updated_at"] = p.UpdatedAt;
        o["closest_task_at"] = null;
        o["is_deleted"] = p.IsDeleted;
        o["custom_fields_values"] = p.CustomFields?.DeepClone();
        o["account_id"] = a.Id;
        o["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{p.Kind}/{p.Id}");
        o["_embedded"] = embedded;
        return o;
    }

    public static JsonArray Tags(SandboxAccount a, string entity, IEnumerable<long> ids) =>
        new(ids.Select(id => a.Tags[entity].FirstOrDefault(t => t.Id == id)).Where(t => t is not null)
            .Select(JsonNode (t) => new JsonObject { ["id"] = t!.Id, ["name"] = t.Name, ["color"] = entity == "leads" ? t.Color : null }).ToArray());

    public static JsonObject Tag(SandboxTag t, string entity) =>
        new() { ["id"] = t.Id, ["name"] = t.Name, ["color"] = entity == "leads" ? t.Color : null };

    public static JsonObject LossReason(SandboxLossReason r, string baseUrl) => new()
    {
        ["id"] = r.Id, ["name"] = r.Name, ["sort"] = r.Sort, ["created_at"] = r.CreatedAt, ["updated_at"] = r.UpdatedAt,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/loss_reasons/{r.Id}"),
    };

    public static JsonObject Pipeline(SandboxAccount a, SandboxPipeline p, string baseUrl, bool descriptions = false) => new()
    {
        ["id"] = p.Id,
        ["name"] = p.Name,
        ["sort"] = p.Sort,
        ["is_main"] = p.IsMain,
        ["is_unsorted_on"] = p.IsUnsortedOn,
        ["is_archive"] = p.IsArchive,
        ["account_id"] = a.Id,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/pipelines/{p.Id}"),
        ["_embedded"] = new JsonObject { ["statuses"] = new JsonArray(p.Statuses.OrderBy(s => s.Sort).Select(JsonNode (s) => Status(a, s, baseUrl, descriptions)).ToArray()) },
    };

    /// <summary>A stage; <paramref name="descriptions"/> = <c>with=descriptions</c> (API-NOTES §8), none of ours has one.</summary>
    public static JsonObject Status(SandboxAccount a, SandboxStatus s, string baseUrl, bool descriptions = false)
    {
        var o = StatusView(a, s, baseUrl);
        if (descriptions) o["descriptions"] = new JsonArray();
        return o;
    }

    private static JsonObject StatusView(SandboxAccount a, SandboxStatus s, string baseUrl) => new()
    {
        ["id"] = s.Id,
        ["name"] = s.Name,
        ["sort"] = s.Sort,
        ["is_editable"] = s.IsEditable,
        ["pipeline_id"] = s.PipelineId,
        ["color"] = s.Color,
        ["type"] = s.Type,
        ["account_id"] = a.Id,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/pipelines/{s.PipelineId}/statuses/{s.Id}"),
    };

    public static JsonObject Field(SandboxAccount a, SandboxField f, string baseUrl)
    {
        var o = new JsonObject
        {
            ["id"] = f.Id,
            ["name"] = f.Name,
            ["type"] = f.Type,
            ["account_id"] = a.Id,
            ["code"] = f.Code,
            ["sort"] = f.Sort,
            ["is_api_only"] = f.IsApiOnly,
            ["enums"] = f.Enums.Count == 0 ? null : new JsonArray(f.Enums.Select(JsonNode (e) => new JsonObject
            {
                ["id"] = e.Id, ["value"] = e.Value, ["sort"] = e.Sort, ["code"] = e.Code,
            }).ToArray()),
            ["group_id"] = null,
            ["required_statuses"] = new JsonArray(),
            ["is_deletable"] = f.IsDeletable,
            ["is_predefined"] = f.IsPredefined,
            ["entity_type"] = f.EntityType,
            ["remind"] = f.Remind,
            ["is_required"] = f.IsRequired,
            ["currency"] = f.Currency,
            ["_links"] = SandboxJson.Links(f.CatalogId is { } cid
                ? $"{baseUrl}/api/v4/catalogs/{cid}/custom_fields/{f.Id}"
                : $"{baseUrl}/api/v4/{f.EntityType}/custom_fields/{f.Id}"),
        };
        if (f.EntityType == "leads")
        {
            o["is_computed"] = f.IsComputed;
            o["hidden_statuses"] = new JsonArray();
        }
        if (f.CatalogId is { } catalogId)
        {
            o["catalog_id"] = catalogId;
            o["settings"] = null; // catalog fields carry settings (API-NOTES §7.1); none of ours has any
        }
        if (f.Type == "chained_list")
            o["chained_lists"] = new JsonArray(f.ChainedCatalogIds.Select(JsonNode (c) => new JsonObject
            {
                ["title"] = a.Catalog(c)?.Name, ["catalog_id"] = c, ["parent_catalog_id"] = null,
            }).ToArray());
        return o;
    }

    public static JsonObject User(SandboxUser u, ISet<string> with, string baseUrl)
    {
        static JsonObject Crud(SandboxCrud c) => new() { ["view"] = c.View, ["edit"] = c.Edit, ["add"] = c.Add, ["delete"] = c.Delete, ["export"] = c.Export };
        var r = u.Rights;
        var o = new JsonObject
        {
            ["id"] = u.Id,
            ["name"] = u.Name,
            ["email"] = u.Email,
            ["lang"] = u.Lang,
            ["rights"] = new JsonObject
            {
                ["leads"] = Crud(r.Leads), ["contacts"] = Crud(r.Contacts), ["companies"] = Crud(r.Companies),
                ["tasks"] = new JsonObject { ["edit"] = "A", ["delete"] = u.IsAdmin ? "A" : "D" },
                ["mail_access"] = true, ["catalog_access"] = true,
                // amoCRM answers null when a user has no per-stage rules (API-NOTES §9)
                ["status_rights"] = r.StatusRights.Count == 0 ? null : new JsonArray(r.StatusRights.Select(JsonNode (s) => new JsonObject
                {
                    ["entity_type"] = "leads", ["pipeline_id"] = s.PipelineId, ["status_id"] = s.StatusId,
                    ["rights"] = new JsonObject { ["view"] = s.View, ["edit"] = s.Edit, ["delete"] = s.Delete },
                }).ToArray()),
                ["is_admin"] = u.IsAdmin, ["is_free"] = u.IsFree, ["is_active"] = u.IsActive,
                ["group_id"] = u.GroupId == 0 ? null : u.GroupId, ["role_id"] = null,
            },
            ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/users/{u.Id}"),
        };
        if (with.Contains("group") || with.Contains("role"))
            o["_embedded"] = new JsonObject { ["roles"] = new JsonArray(), ["groups"] = new JsonArray() };
        return o;
    }

    public static JsonObject Note(SandboxNote n, SandboxAccount a, string baseUrl) => new()
    {
        ["id"] = n.Id,
        ["entity_id"] = n.EntityId,
        ["created_by"] = n.CreatedBy,
        ["updated_by"] = n.UpdatedBy,
        ["created_at"] = n.CreatedAt,
        ["updated_at"] = n.UpdatedAt,
        ["responsible_user_id"] = n.ResponsibleUserId,
        ["group_id"] = n.GroupId,
        ["note_type"] = n.NoteType,
        ["params"] = n.Params.DeepClone(),
        ["account_id"] = a.Id,
        ["is_pinned"] = n.IsPinned,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/{n.EntityType}/{n.EntityId}/notes/{n.Id}"),
    };

    public static JsonObject Task(SandboxTask t, SandboxAccount a, string baseUrl) => new()
    {
        ["id"] = t.Id,
        ["created_by"] = t.CreatedBy,
        ["updated_by"] = t.UpdatedBy,
        ["created_at"] = t.CreatedAt,
        ["updated_at"] = t.UpdatedAt,
        ["responsible_user_id"] = t.ResponsibleUserId,
        ["group_id"] = t.GroupId,
        ["entity_id"] = t.EntityId,
        ["entity_type"] = t.EntityType,
        ["duration"] = t.Duration,
        ["is_completed"] = t.IsCompleted,
        ["task_type_id"] = t.TaskTypeId,
        ["text"] = t.Text,
        ["result"] = t.ResultText is null ? new JsonArray() : new JsonObject { ["text"] = t.ResultText },
        ["complete_till"] = t.CompleteTill,
        ["account_id"] = a.Id,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/tasks/{t.Id}"),
    };

    public static JsonObject Catalog(SandboxCatalog c, SandboxAccount a, string baseUrl) => new()
    {
        ["id"] = c.Id,
        ["name"] = c.Name,
        ["created_by"] = a.Users[0].Id,
        ["updated_by"] = a.Users[0].Id,
        ["created_at"] = a.CreatedAt,
        ["updated_at"] = a.CreatedAt,
        ["sort"] = c.Sort,
        ["type"] = c.Type,
        ["can_add_elements"] = true,
        ["can_show_in_cards"] = true,
        ["can_link_multiple"] = true,
        ["can_be_deleted"] = c.Type == "regular",
        ["sdk_widget_code"] = null,
        ["account_id"] = a.Id,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/catalogs/{c.Id}"),
    };

    public static JsonObject Element(SandboxCatalogElement e, SandboxAccount a, string baseUrl) => new()
    {
        ["id"] = e.Id,
        ["name"] = e.Name,
        ["created_by"] = e.CreatedBy,
        ["updated_by"] = e.UpdatedBy,
        ["created_at"] = e.CreatedAt,
        ["updated_at"] = e.UpdatedAt,
        ["is_deleted"] = e.IsDeleted,
        ["custom_fields_values"] = e.CustomFields?.DeepClone(),
        ["catalog_id"] = e.CatalogId,
        ["account_id"] = a.Id,
        ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/catalogs/{e.CatalogId}/elements/{e.Id}"),
    };

    /// <summary>A page of a list: <c>_page</c>, <c>_links.self/next/prev/first</c> and <c>_embedded.{key}</c>.</summary>
    public static JsonObject Page(HttpContext ctx, string key, IEnumerable<JsonNode> items, int page, bool hasNext)
    {
        var baseUrl = ctx.BaseUrl() + ctx.Request.Path;
        string Href(int n)
        {
            var q = ctx.Request.Query.Where(kv => kv.Key != "page")
                .SelectMany(kv => kv.Value.Select(v => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(v ?? "")))
                .Append("page=" + n);
            return baseUrl + "?" + string.Join("&", q);
        }
        var links = new JsonObject { ["self"] = new JsonObject { ["href"] = Href(page) } };
        if (hasNext) links["next"] = new JsonObject { ["href"] = Href(page + 1) };
        links["first"] = new JsonObject { ["href"] = Href(1) };
        if (page > 1) links["prev"] = new JsonObject { ["href"] = Href(page - 1) };
        return new JsonObject
        {
            ["_page"] = page,
            ["_links"] = links,
            ["_embedded"] = new JsonObject { [key] = new JsonArray(items.ToArray()) },
        };
    }
}
