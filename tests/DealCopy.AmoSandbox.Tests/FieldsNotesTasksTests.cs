using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Custom fields, tags, notes, tasks, catalogs (API-NOTES §7.1, §10, §11, §12, §13).</summary>
public sealed class FieldsNotesTasksTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private static async Task<long> ReferenceLeadId(Amo amo) =>
        (await amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString("Эталонная сделка"))).Embedded("leads")[0]!["id"]!.GetValue<long>();

    [Fact, Trait("api-notes", "§7.1")]
    public async Task Lead_custom_fields_come_50_per_page_with_links_next_even_when_a_larger_limit_is_asked()
    {
        var first = await _amo.Get("api/v4/leads/custom_fields?limit=250");

        Assert.Equal(200, first.Code);
        Assert.Equal(50, first.Embedded("custom_fields").Count);
        var next = first.Object["_links"]!["next"]!["href"]!.GetValue<string>();
        var second = await _amo.Get(next);
        Assert.Equal(200, second.Code);
        var all = first.Embedded("custom_fields").Concat(second.Embedded("custom_fields")).Select(f => f!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.True(all.Count > 50);
        Assert.Null(second.Object["_links"]!["next"]);
    }

    [Fact, Trait("api-notes", "§7.1")]
    public async Task A_lead_field_is_created_with_is_api_only_and_read_back()
    {
        var answer = await _amo.Post("api/v4/leads/custom_fields", new JsonArray(new JsonObject
        {
            ["name"] = "DealCopy: копия сделки", ["type"] = "text", ["code"] = "DEALCOPY_SOURCE", ["is_api_only"] = true, ["request_id"] = "marker",
        }));

        Assert.Equal(201, answer.Code); // API-NOTES §3: custom field creates answer 201
        var created = answer.Embedded("custom_fields")[0]!;
        Assert.True(created["is_api_only"]!.GetValue<bool>());
        var id = created["id"]!.GetValue<long>();
        var read = (await _amo.Get($"api/v4/leads/custom_fields/{id}")).Object;
        Assert.Equal("DEALCOPY_SOURCE", read["code"]!.GetValue<string>());
        Assert.True(read["is_api_only"]!.GetValue<bool>());
        await _amo.CreateLead(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_code"] = "DEALCOPY_SOURCE", ["values"] = new JsonArray(new JsonObject { ["value"] = "20000001" }) }),
        });
    }

    [Fact, Trait("api-notes", "§7.2")]
    public async Task A_field_type_that_leads_cannot_have_is_refused()
    {
        var answer = await _amo.Post("api/v4/leads/custom_fields", new JsonArray(new JsonObject { ["name"] = "Phone", ["type"] = "multitext" }));

        Assert.Equal("type", Problem.ValidationErrors(answer, "0")[0]["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§10")]
    public async Task Lead_tags_are_listed_and_created()
    {
        var list = await _amo.Get("api/v4/leads/tags");
        Assert.Contains(list.Embedded("tags"), t => t!["name"]!.GetValue<string>() == "VIP");

        var created = await _amo.Post("api/v4/leads/tags", new JsonArray(new JsonObject { ["name"] = "Копия" }));
        Assert.Equal(200, created.Code);
        var id = created.Embedded("tags")[0]!["id"]!.GetValue<long>();

        var found = await _amo.Get($"api/v4/leads/tags?filter[id][]={id}");
        Assert.Equal("Копия", Assert.Single(found.Embedded("tags"))!["name"]!.GetValue<string>());
        var lead = await _amo.CreateLead(new JsonObject { ["_embedded"] = new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["id"] = id }) } });
        Assert.Equal(id, (await _amo.Get($"api/v4/leads/{lead}")).Object["_embedded"]!["tags"]![0]!["id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task The_notes_of_one_lead_include_system_types_that_the_API_cannot_create()
    {
        var lead = await ReferenceLeadId(_amo);

        var answer = await _amo.Get($"api/v4/leads/{lead}/notes");

        var notes = answer.Embedded("notes");
        Assert.All(notes, n => Assert.Equal(lead, n!["entity_id"]!.GetValue<long>()));
        var types = notes.Select(n => n!["note_type"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("common", types);
        Assert.Contains("amomail_message", types);
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task Notes_of_several_leads_are_listed_with_the_entity_filter_and_by_type()
    {
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "Notes A" });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "Notes B" });
        var created = await _amo.Post("api/v4/leads/notes", new JsonArray(
            new JsonObject { ["entity_id"] = a, ["note_type"] = "common", ["params"] = new JsonObject { ["text"] = "A" } },
            new JsonObject { ["entity_id"] = b, ["note_type"] = "service_message", ["params"] = new JsonObject { ["service"] = "DealCopy", ["text"] = "B" } }));
        Assert.Equal(200, created.Code);

        var both = await _amo.Get($"api/v4/leads/notes?filter[entity_id][]={a}&filter[entity_id][]={b}");
        var service = await _amo.Get($"api/v4/leads/notes?filter[entity_id][]={a}&filter[entity_id][]={b}&filter[note_type][]=service_message");

        Assert.Equal(new[] { a, b }, both.Embedded("notes").Select(n => n!["entity_id"]!.GetValue<long>()).Order());
        Assert.Equal(b, Assert.Single(service.Embedded("notes"))!["entity_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task Creatable_note_types_are_created_and_is_need_to_trigger_digital_pipeline_false_is_stored()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Notes" });

        var answer = await _amo.Post($"api/v4/leads/{lead}/notes", new JsonArray(
            new JsonObject { ["note_type"] = "common", ["params"] = new JsonObject { ["text"] = "copied" }, ["is_need_to_trigger_digital_pipeline"] = false, ["request_id"] = "quiet" },
            new JsonObject { ["note_type"] = "extended_service_message", ["params"] = new JsonObject { ["service"] = "DealCopy", ["text"] = "Копия сделки" } },
            new JsonObject { ["note_type"] = "call_in", ["params"] = new JsonObject { ["uniq"] = Guid.NewGuid().ToString(), ["duration"] = 60, ["source"] = "pbx", ["phone"] = "+79160000000" } }));

        Assert.Equal(200, answer.Code);
        var created = answer.Embedded("notes");
        Assert.Equal("quiet", created[0]!["request_id"]!.GetValue<string>());
        var quiet = created[0]!["id"]!.GetValue<long>();
        var loud = created[1]!["id"]!.GetValue<long>();
        var dump = (await _amo.Control.DumpAsync(_amo.AccountId))["notes"]!.AsArray();
        Assert.False(dump.Single(n => n!["id"]!.GetValue<long>() == quiet)!["is_need_to_trigger_digital_pipeline"]!.GetValue<bool>());
        Assert.True(dump.Single(n => n!["id"]!.GetValue<long>() == loud)!["is_need_to_trigger_digital_pipeline"]!.GetValue<bool>());
        Assert.Equal(3, (await _amo.Get($"api/v4/leads/{lead}/notes")).Embedded("notes").Count);
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task A_system_note_type_is_refused()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Notes" });

        var answer = await _amo.Post("api/v4/leads/notes", new JsonArray(
            new JsonObject { ["entity_id"] = lead, ["note_type"] = "common", ["params"] = new JsonObject { ["text"] = "fine" } },
            new JsonObject { ["entity_id"] = lead, ["note_type"] = "amomail_message", ["params"] = new JsonObject { ["subject"] = "x" } }));

        Assert.Equal("note_type", Problem.ValidationErrors(answer, "1")[0]["path"]!.GetValue<string>());
        Assert.Equal(204, (await _amo.Get($"api/v4/leads/{lead}/notes")).Code);
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task Tasks_are_filtered_by_entity_type_and_entity_id()
    {
        var lead = await ReferenceLeadId(_amo);

        var answer = await _amo.Get($"api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]={lead}");

        var tasks = answer.Embedded("tasks");
        Assert.NotEmpty(tasks);
        Assert.All(tasks, t =>
        {
            Assert.Equal(lead, t!["entity_id"]!.GetValue<long>());
            Assert.Equal("leads", t["entity_type"]!.GetValue<string>());
        });
        var open = await _amo.Get($"api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]={lead}&filter[is_completed]=0");
        Assert.All(open.Embedded("tasks"), t => Assert.False(t!["is_completed"]!.GetValue<bool>()));
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task A_task_entity_filter_without_entity_type_is_400()
    {
        Problem.Assert(await _amo.Get("api/v4/tasks?filter[entity_id][]=20000001"), 400);
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task Tasks_are_created_in_bulk_and_read_back()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Tasks" });
        var till = DateTimeOffset.UtcNow.AddDays(2).ToUnixTimeSeconds();

        var answer = await _amo.Post("api/v4/tasks", new JsonArray(
            new JsonObject { ["text"] = "Позвонить", ["complete_till"] = till, ["entity_id"] = lead, ["entity_type"] = "leads", ["request_id"] = "t1" },
            new JsonObject { ["text"] = "Встреча", ["complete_till"] = till + 3600, ["entity_id"] = lead, ["entity_type"] = "leads", ["task_type_id"] = 2, ["responsible_user_id"] = 5000002 }));

        Assert.Equal(200, answer.Code);
        Assert.Equal("t1", answer.Embedded("tasks")[0]!["request_id"]!.GetValue<string>());
        var tasks = (await _amo.Get($"api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]={lead}")).Embedded("tasks");
        Assert.Equal(new[] { "Встреча", "Позвонить" }, tasks.Select(t => t!["text"]!.GetValue<string>()).Order());
        Assert.Equal(5000002, tasks.Single(t => t!["text"]!.GetValue<string>() == "Встреча")!["responsible_user_id"]!.GetValue<long>());
        Assert.Equal(till, (await _amo.Get($"api/v4/leads/{lead}")).Object["closest_task_at"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task A_task_needs_text_and_complete_till()
    {
        var till = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();

        var answer = await _amo.Post("api/v4/tasks", new JsonArray(
            new JsonObject { ["complete_till"] = till },
            new JsonObject { ["text"] = "No deadline" }));

        Assert.Contains(Problem.ValidationErrors(answer, "0"), e => e["path"]!.GetValue<string>() == "text");
        Assert.Contains(Problem.ValidationErrors(answer, "1"), e => e["path"]!.GetValue<string>() == "complete_till");
    }

    [Fact, Trait("api-notes", "§13")]
    public async Task The_products_catalog_has_price_fields_and_elements_that_can_be_added()
    {
        var catalog = (await _amo.Get("api/v4/catalogs")).Embedded("catalogs").Single(c => c!["type"]!.GetValue<string>() == "products")!;
        var id = catalog["id"]!.GetValue<long>();
        Assert.True(id >= 1000);

        var fields = (await _amo.Get($"api/v4/catalogs/{id}/custom_fields")).Embedded("custom_fields");
        Assert.Contains(fields, f => f!["code"]?.GetValue<string>() == "PRICE" && f["type"]!.GetValue<string>() == "price");
        Assert.Contains(fields, f => f!["code"]?.GetValue<string>() == "SKU");
        var price = fields.First(f => f!["type"]!.GetValue<string>() == "price")!["id"]!.GetValue<long>();

        var created = await _amo.Post($"api/v4/catalogs/{id}/elements", new JsonArray(new JsonObject
        {
            ["name"] = "Новый товар",
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_id"] = price, ["values"] = new JsonArray(new JsonObject { ["value"] = "990" }) }),
        }));
        Assert.Equal(200, created.Code);
        var element = created.Embedded("elements")[0]!["id"]!.GetValue<long>();
        var read = (await _amo.Get($"api/v4/catalogs/{id}/elements/{element}")).Object;
        Assert.Equal("Новый товар", read["name"]!.GetValue<string>());
        Assert.Equal("990", read["custom_fields_values"]![0]!["values"]![0]!["value"]!.GetValue<string>());
        Assert.Equal(204, (await _amo.Get($"api/v4/catalogs/{id}/elements/1")).Code);
    }
}
