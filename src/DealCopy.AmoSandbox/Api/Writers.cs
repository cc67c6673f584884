using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>A tag reference in a write: <c>{"id":..}</c> or <c>{"name":..}</c> (API-NOTES §10).</summary>
public readonly record struct TagRef(long? Id, string? Name);

/// <summary>Shared pieces of entity writes: tag references and their resolution.</summary>
public static class TagRefs
{
    public static List<TagRef>? Parse(SandboxAccount a, string entity, JsonNode? node, string path, List<FieldError> errors)
    {
        if (node is null) return null;
        if (SandboxJson.IsNull(node)) return [];
        if (node is not JsonArray arr)
        {
            errors.Add(new("InvalidType", path, "This value should be of type array."));
            return null;
        }
        var list = new List<TagRef>();
        for (var i = 0; i < arr.Count; i++)
        {
            var o = arr[i] as JsonObject;
            if (o is not null && SandboxJson.TryGetLong(o["id"], out var id))
            {
                if (a.Tags[entity].All(t => t.Id != id))
                    errors.Add(new("NotSupportedChoice", $"{path}.{i}.id", "The value you selected is not a valid choice."));
                list.Add(new TagRef(id, null));
            }
            else if (o is not null && SandboxJson.TryGetString(o["name"], out var name) && name.Trim().Length > 0)
            {
                list.Add(new TagRef(null, name.Trim()));
            }
            else
            {
                errors.Add(new("NotBlank", $"{path}.{i}", "A tag needs an id or a name."));
            }
        }
        return list;
    }

    /// <summary>Finds the tag, creating it by name when it does not exist yet.</summary>
    public static long Resolve(SandboxAccount a, SandboxState state, string entity, TagRef r)
    {
        if (r.Id is { } id) return id;
        var existing = a.Tags[entity].FirstOrDefault(t => string.Equals(t.Name, r.Name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null) return existing.Id;
        var tag = new SandboxTag { Id = state.NextId("tag"), Name = r.Name! };
        a.Tags[entity].Add(tag);
        return tag.Id;
    }
}

/// <summary>Validates lead writes into plans (nothing changes) and applies valid plans.</summary>
public sealed class LeadWriter(SandboxAccount a, SandboxRuntime rt)
{
    public sealed class LeadPlan
    {
        public required string RequestId { get; init; }
        public SandboxLead? Existing { get; init; }
        public List<FieldError> Errors { get; } = [];
        public List<Action<SandboxLead>> Steps { get; } = [];
        public long UserId { get; init; }
        public long PipelineId { get; set; }
        public long StatusId { get; set; }
    }

    public static LeadPlan Invalid(string requestId, FieldError error)
    {
        var p = new LeadPlan { RequestId = requestId };
        p.Errors.Add(error);
        return p;
    }

    public LeadPlan Plan(JsonObject o, SandboxLead? existing, string requestId, long userId)
    {
        var plan = new LeadPlan { RequestId = requestId, Existing = existing, UserId = userId };
        var errors = plan.Errors;
        var steps = plan.Steps;

        if (o.TryGetPropertyValue("name", out var nameNode) && !SandboxJson.IsNull(nameNode))
        {
            if (SandboxJson.TryGetString(nameNode, out var name)) steps.Add(l => l.Name = name);
            else errors.Add(new("InvalidType", "name", "This value should be of type string."));
        }
        if (o["price"] is { } priceNode && !SandboxJson.IsNull(priceNode))
        {
            // price is an int; fractions only for accounts with minor units (API-NOTES §4.2, UNCONFIRMED: stricter by default).
            if (priceNode is JsonValue pv && pv.TryGetValue<decimal>(out var price) && price >= 0 &&
                (rt.Options.PriceMinorUnits || price == decimal.Truncate(price))) steps.Add(l => l.Price = price);
            else errors.Add(new("InvalidType", "price", "This value should be of type int."));
        }

        PlanStage(o, existing, plan);

        if (o["loss_reason_id"] is { } lrNode && !SandboxJson.IsNull(lrNode))
        {
            if (!SandboxJson.TryGetLong(lrNode, out var lr) || a.LossReasons.All(r => r.Id != lr))
                errors.Add(new("NotSupportedChoice", "loss_reason_id", "The value you selected is not a valid choice."));
            else if (plan.StatusId != SandboxPipeline.Lost)
                errors.Add(new("LossReasonNotLost", "loss_reason_id", "Loss reason can be specified only for lost lead"));
            else steps.Add(l => l.LossReasonId = lr);
        }

        if (o["responsible_user_id"] is { } ruNode && !SandboxJson.IsNull(ruNode))
        {
            if (!SandboxJson.TryGetLong(ruNode, out var ru) || a.User(ru) is not { IsActive: true })
                errors.Add(new("NotSupportedChoice", "responsible_user_id", "The value you selected is not a valid choice."));
            else steps.Add(l => { l.ResponsibleUserId = ru; l.GroupId = a.GroupOf(ru); });
        }
        foreach (var key in new[] { "created_by", "updated_by" })
        {
            if (o[key] is not { } n || SandboxJson.IsNull(n)) continue;
            if (!SandboxJson.TryGetLong(n, out var by) || (by != 0 && a.User(by) is null))
                errors.Add(new("NotSupportedChoice", key, "The value you selected is not a valid choice."));
            else if (key == "created_by") steps.Add(l => l.CreatedBy = by);
            else steps.Add(l => l.UpdatedBy = by);
        }
        foreach (var key in new[] { "created_at", "updated_at", "closed_at" })
        {
            if (o[key] is not { } n || SandboxJson.IsNull(n)) continue;
            if (!SandboxJson.TryGetLong(n, out var ts) || ts < 0) errors.Add(new("InvalidType", key, "This value should be of type int."));
            else if (key == "created_at") steps.Add(l => l.CreatedAt = ts);
            else if (key == "updated_at") steps.Add(l => l.UpdatedAt = ts);
            else steps.Add(l => l.ClosedAt = ts);
        }

        if (o.ContainsKey("custom_fields_values"))
        {
            var cf = new FieldValues(a, rt.Options).Apply(a.Fields["leads"], existing?.CustomFields, o["custom_fields_values"], "custom_fields_values", errors);
            steps.Add(l => l.CustomFields = cf);
        }

        var embedded = o["_embedded"] as JsonObject;
        if (o["_embedded"] is { } embNode && embedded is null && !SandboxJson.IsNull(embNode))
            errors.Add(new("InvalidType", "_embedded", "This value should be of type object."));

        var add = TagRefs.Parse(a, "leads", o["tags_to_add"], "tags_to_add", errors);
        var del = existing is null ? null : TagRefs.Parse(a, "leads", o["tags_to_delete"], "tags_to_delete", errors);
        // "tags": null is present-and-null: on PATCH it clears every tag (API-NOTES §4.4, §10).
        var replace = embedded is null || !embedded.ContainsKey("tags") ? null
            : SandboxJson.IsNull(embedded["tags"]) ? []
            : TagRefs.Parse(a, "leads", embedded["tags"], "_embedded.tags", errors);
        steps.Add(l =>
        {
            if (replace is not null)
            {
                // On create _embedded.tags adds; on update it replaces the whole set (API-NOTES §4.4).
                if (existing is not null) l.TagIds.Clear();
                foreach (var r in replace) AddTag(l, r);
            }
            foreach (var r in add ?? []) AddTag(l, r);
            foreach (var r in del ?? [])
            {
                var id = r.Id ?? a.Tags["leads"].FirstOrDefault(t => string.Equals(t.Name, r.Name, StringComparison.OrdinalIgnoreCase))?.Id;
                if (id is not null) l.TagIds.Remove(id.Value);
            }
        });

        if (existing is null && embedded is not null)
        {
            PlanContacts(embedded["contacts"], plan);
            PlanCompany(embedded["companies"], plan);
            if (embedded["source"] is JsonObject) steps.Add(l => l.SourceId = 1876532);
        }
        return plan;
    }

    private void PlanStage(JsonObject o, SandboxLead? existing, LeadPlan plan)
    {
        var errors = plan.Errors;
        long? pid = null, sid = null;
        if (o["pipeline_id"] is { } pn && !SandboxJson.IsNull(pn))
        {
            if (SandboxJson.TryGetLong(pn, out var v)) pid = v;
            else errors.Add(new("InvalidType", "pipeline_id", "This value should be of type int."));
        }
        if (o["status_id"] is { } sn && !SandboxJson.IsNull(sn))
        {
            if (SandboxJson.TryGetLong(sn, out var v)) sid = v;
            else errors.Add(new("InvalidType", "status_id", "This value should be of type int."));
        }

        SandboxPipeline? pipeline;
        if (pid is not null)
        {
            pipeline = a.Pipeline(pid.Value);
            if (pipeline is null) errors.Add(new("NotSupportedChoice", "pipeline_id", "The value you selected is not a valid choice."));
            else if (pipeline.IsArchive) errors.Add(new("NotSupportedChoice", "pipeline_id", "The pipeline is archived."));
        }
        else if (sid is not null && sid is not (SandboxPipeline.Won or SandboxPipeline.Lost))
        {
            // A regular stage belongs to one pipeline; 142/143 exist in every pipeline, so without
            // pipeline_id they mean the lead's current (or the main) pipeline (API-NOTES §4.4).
            pipeline = a.Pipelines.FirstOrDefault(p => p.Status(sid.Value) is not null);
        }
        else
        {
            pipeline = existing is null ? a.MainPipeline : a.Pipeline(existing.PipelineId);
        }

        if (pipeline is null)
        {
            if (sid is not null && pid is null) errors.Add(new("NotSupportedChoice", "status_id", "The value you selected is not a valid choice."));
            return;
        }

        SandboxStatus? status;
        if (sid is not null)
        {
            status = pipeline.Status(sid.Value);
            if (status is null || status.Type == 1)
            {
                // Creating or moving a lead into Unsorted is refused (API-NOTES §8).
                errors.Add(new("NotSupportedChoice", "status_id", "The value you selected is not a valid choice."));
                return;
            }
        }
        else if (existing is not null && existing.PipelineId == pipeline.Id)
        {
            status = pipeline.Status(existing.StatusId);
        }
        else
        {
            status = pipeline.FirstRegular;
        }
        plan.PipelineId = pipeline.Id;
        plan.StatusId = status?.Id ?? pipeline.FirstRegular.Id;
    }

    private void PlanContacts(JsonNode? node, LeadPlan plan)
    {
        if (node is null || SandboxJson.IsNull(node)) return;
        if (node is not JsonArray arr)
        {
            plan.Errors.Add(new("InvalidType", "_embedded.contacts", "This value should be of type array."));
            return;
        }
        var links = new List<ContactLink>();
        for (var i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject c || !SandboxJson.TryGetLong(c["id"], out var id) || !a.Contacts.ContainsKey(id))
            {
                plan.Errors.Add(new("NotSupportedChoice", $"_embedded.contacts.{i}.id", "The value you selected is not a valid choice."));
                continue;
            }
            if (links.All(x => x.ContactId != id))
                links.Add(new ContactLink { ContactId = id, IsMain = c["is_main"] is JsonValue m && m.TryGetValue<bool>(out var isMain) && isMain });
        }
        if (links.Count(l => l.IsMain) > 1)
            plan.Errors.Add(new("InvalidCount", "_embedded.contacts", "Only one contact can be the main one."));
        if (links.Count > 0 && links.All(l => !l.IsMain)) links[0].IsMain = true;
        plan.Steps.Add(l => l.Contacts.AddRange(links));
    }

    private void PlanCompany(JsonNode? node, LeadPlan plan)
    {
        if (node is null || SandboxJson.IsNull(node)) return;
        if (node is not JsonArray arr || arr.Count > 1)
        {
            plan.Errors.Add(new("InvalidCount", "_embedded.companies", "This collection should contain 1 element or less."));
            return;
        }
        if (arr.Count == 0) return;
        if (arr[0] is not JsonObject c || !SandboxJson.TryGetLong(c["id"], out var id) || !a.Companies.ContainsKey(id))
        {
            plan.Errors.Add(new("NotSupportedChoice", "_embedded.companies.0.id", "The value you selected is not a valid choice."));
            return;
        }
        plan.Steps.Add(l => l.CompanyId = id);
    }

    private void AddTag(SandboxLead l, TagRef r)
    {
        var id = TagRefs.Resolve(a, rt.State, "leads", r);
        if (!l.TagIds.Contains(id)) l.TagIds.Add(id);
    }

    public SandboxLead Apply(LeadPlan plan)
    {
        var now = rt.Clock.UnixNow;
        var lead = plan.Existing;
        if (lead is null)
        {
            lead = new SandboxLead
            {
                Id = rt.State.NextId("lead"),
                ResponsibleUserId = plan.UserId,
                GroupId = a.GroupOf(plan.UserId),
                CreatedBy = plan.UserId,
                UpdatedBy = plan.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            a.Leads[lead.Id] = lead;
        }
        else
        {
            lead.UpdatedBy = plan.UserId;
            lead.UpdatedAt = now;
        }
        var wasClosed = lead.StatusId is SandboxPipeline.Won or SandboxPipeline.Lost;
        if (plan.PipelineId != 0)
        {
            lead.PipelineId = plan.PipelineId;
            lead.StatusId = plan.StatusId;
        }
        foreach (var step in plan.Steps) step(lead);
        var isClosed = lead.StatusId is SandboxPipeline.Won or SandboxPipeline.Lost;
        if (isClosed && !wasClosed) lead.ClosedAt ??= now;
        if (!isClosed) lead.ClosedAt = null;
        if (lead.StatusId != SandboxPipeline.Lost) lead.LossReasonId = null;
        return lead;
    }
}

/// <summary>Validates and applies contact and company writes (API-NOTES §6).</summary>
public sealed class PartyWriter(SandboxAccount a, SandboxRuntime rt)
{
    public sealed class PartyPlan
    {
        public required string Kind { get; init; }
        public required string RequestId { get; init; }
        public SandboxParty? Existing { get; init; }
        public long UserId { get; init; }
        public List<FieldError> Errors { get; } = [];
        public List<Action<SandboxParty>> Steps { get; } = [];
    }

    public bool Exists(string kind, long id) => a.Parties(kind).TryGetValue(id, out var p) && !p.IsDeleted;

    public PartyPlan Plan(string kind, JsonObject o, string requestId, long userId, SandboxParty? existing = null)
    {
        var plan = new PartyPlan { Kind = kind, RequestId = requestId, UserId = userId, Existing = existing };
        var errors = plan.Errors;
        foreach (var key in kind == "contacts" ? new[] { "name", "first_name", "last_name" } : ["name"])
        {
            if (o[key] is not { } n || SandboxJson.IsNull(n)) continue;
            if (!SandboxJson.TryGetString(n, out var s)) { errors.Add(new("InvalidType", key, "This value should be of type string.")); continue; }
            plan.Steps.Add(key switch
            {
                "name" => p => p.Name = s,
                "first_name" => p => p.FirstName = s,
                _ => p => p.LastName = s,
            });
        }
        if (o["responsible_user_id"] is { } ruNode && !SandboxJson.IsNull(ruNode))
        {
            if (!SandboxJson.TryGetLong(ruNode, out var ru) || a.User(ru) is not { IsActive: true })
                errors.Add(new("NotSupportedChoice", "responsible_user_id", "The value you selected is not a valid choice."));
            else plan.Steps.Add(p => { p.ResponsibleUserId = ru; p.GroupId = a.GroupOf(ru); });
        }
        // Authorship and timestamps are writable on contacts and companies as on leads (API-NOTES §4.3, §6); 0 = the robot.
        foreach (var key in new[] { "created_by", "updated_by" })
        {
            if (o[key] is not { } n || SandboxJson.IsNull(n)) continue;
            if (!SandboxJson.TryGetLong(n, out var by) || (by != 0 && a.User(by) is null))
                errors.Add(new("NotSupportedChoice", key, "The value you selected is not a valid choice."));
            else if (key == "created_by") plan.Steps.Add(p => p.CreatedBy = by);
            else plan.Steps.Add(p => p.UpdatedBy = by);
        }
        foreach (var key in new[] { "created_at", "updated_at" })
        {
            if (o[key] is not { } n || SandboxJson.IsNull(n)) continue;
            if (!SandboxJson.TryGetLong(n, out var ts) || ts < 0) errors.Add(new("InvalidType", key, "This value should be of type int."));
            else if (key == "created_at") plan.Steps.Add(p => p.CreatedAt = ts);
            else plan.Steps.Add(p => p.UpdatedAt = ts);
        }
        if (o.ContainsKey("custom_fields_values"))
        {
            var cf = new FieldValues(a, rt.Options).Apply(a.Fields[kind], existing?.CustomFields, o["custom_fields_values"], "custom_fields_values", errors);
            plan.Steps.Add(p => p.CustomFields = cf);
        }
        var embedded = o["_embedded"] as JsonObject;
        var tags = TagRefs.Parse(a, kind, embedded?["tags"], "_embedded.tags", errors) ?? [];
        tags.AddRange(TagRefs.Parse(a, kind, o["tags_to_add"], "tags_to_add", errors) ?? []);
        plan.Steps.Add(p =>
        {
            foreach (var r in tags)
            {
                var id = TagRefs.Resolve(a, rt.State, kind, r);
                if (!p.TagIds.Contains(id)) p.TagIds.Add(id);
            }
        });
        if (kind == "contacts" && embedded?["companies"] is JsonArray companies && companies.Count > 0)
        {
            if (companies[0] is JsonObject c && SandboxJson.TryGetLong(c["id"], out var cid) && a.Companies.ContainsKey(cid))
                plan.Steps.Add(p => p.CompanyId = cid);
            else errors.Add(new("NotSupportedChoice", "_embedded.companies.0.id", "The value you selected is not a valid choice."));
        }
        return plan;
    }

    public SandboxParty Apply(PartyPlan plan)
    {
        var now = rt.Clock.UnixNow;
        var p = plan.Existing;
        if (p is null)
        {
            p = new SandboxParty
            {
                Id = rt.State.NextId(plan.Kind == "contacts" ? "contact" : "company"),
                Kind = plan.Kind,
                ResponsibleUserId = plan.UserId,
                GroupId = a.GroupOf(plan.UserId),
                CreatedBy = plan.UserId,
                UpdatedBy = plan.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            a.Parties(plan.Kind)[p.Id] = p;
        }
        else
        {
            p.UpdatedAt = now;
            p.UpdatedBy = plan.UserId;
        }
        foreach (var step in plan.Steps) step(p);
        if (plan.Kind == "contacts" && p.Name.Length == 0) p.Name = $"{p.FirstName} {p.LastName}".Trim();
        return p;
    }
}
