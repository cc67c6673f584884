using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>The demo account holds everything a copy can meet (docs/SANDBOX.md "The demo account"); read only, so one sandbox serves all.</summary>
public sealed class DemoDataTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private async Task<List<JsonObject>> All(string path, string key)
    {
        var items = new List<JsonObject>();
        string? next = path;
        while (next is not null)
        {
            var answer = await _amo.Get(next);
            if (answer.Code == 204) break;
            Assert.Equal(200, answer.Code);
            items.AddRange(answer.Embedded(key).Select(x => x!.AsObject()));
            next = answer.Object["_links"]?["next"]?["href"]?.GetValue<string>();
        }
        return items;
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task The_demo_has_at_least_three_active_pipelines_and_one_archived()
    {
        var pipelines = await _amo.PipelinesAsync();

        Assert.True(pipelines.All.Count(p => !p["is_archive"]!.GetValue<bool>()) >= 3);
        Assert.Single(pipelines.All, p => p["is_archive"]!.GetValue<bool>());
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task The_demo_has_admin_manager_inactive_and_free_users()
    {
        var users = await All("api/v4/users", "users");
        bool Right(JsonObject u, string key) => u["rights"]![key]!.GetValue<bool>();

        Assert.Contains(users, u => Right(u, "is_admin"));
        Assert.Contains(users, u => !Right(u, "is_admin") && Right(u, "is_active") && !Right(u, "is_free"));
        Assert.Contains(users, u => !Right(u, "is_active"));
        Assert.Contains(users, u => Right(u, "is_free"));
    }

    [Fact, Trait("api-notes", "§7.2")]
    public async Task The_demo_has_a_lead_field_of_every_type_leads_may_have_and_a_computed_one()
    {
        var fields = await All("api/v4/leads/custom_fields", "custom_fields");
        var types = fields.Select(f => f["type"]!.GetValue<string>()).ToHashSet();

        foreach (var type in new[] { "text", "numeric", "checkbox", "select", "multiselect", "date", "url", "date_time", "textarea", "radiobutton",
                                     "streetaddress", "smart_address", "birthday", "legal_entity", "tracking_data", "chained_list", "monetary", "file" })
            Assert.Contains(type, types);
        Assert.Contains(fields, f => f["is_computed"]!.GetValue<bool>());
        Assert.True(fields.Count > 50);
    }

    [Fact, Trait("api-notes", "§13")]
    public async Task The_demo_has_a_products_catalog_with_two_price_fields_and_30_elements()
    {
        var products = (await All("api/v4/catalogs", "catalogs")).Single(c => c["type"]!.GetValue<string>() == "products");
        var id = products["id"]!.GetValue<long>();

        var fields = await All($"api/v4/catalogs/{id}/custom_fields", "custom_fields");
        var elements = await All($"api/v4/catalogs/{id}/elements?limit=250", "elements");

        Assert.Equal(2, fields.Count(f => f["type"]!.GetValue<string>() == "price"));
        Assert.Equal(30, elements.Count);
    }

    [Fact, Trait("api-notes", "§4.2")]
    public async Task The_demo_has_300_leads_with_contacts_companies_tags_and_products()
    {
        var leads = await All("api/v4/leads?limit=250&with=contacts,catalog_elements", "leads");

        Assert.True(leads.Count >= 300);
        JsonArray Embedded(JsonObject l, string key) => l["_embedded"]![key]!.AsArray();
        Assert.True(leads.Count(l => Embedded(l, "contacts").Count > 0) > 100);
        Assert.True(leads.Count(l => Embedded(l, "contacts").Count > 1) > 10);
        Assert.True(leads.Count(l => Embedded(l, "companies").Count > 0) > 100);
        Assert.True(leads.Count(l => Embedded(l, "tags").Count > 0) > 100);
        Assert.True(leads.Count(l => Embedded(l, "catalog_elements").Count > 0) > 50);
        Assert.Contains(leads, l => l["status_id"]!.GetValue<long>() == 142);
        Assert.Contains(leads, l => l["status_id"]!.GetValue<long>() == 143 && l["loss_reason_id"] is not null);
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task The_demo_has_notes_of_common_service_and_system_types()
    {
        var notes = await All("api/v4/leads/notes?limit=250", "notes");
        var types = notes.Select(n => n["note_type"]!.GetValue<string>()).ToHashSet();

        Assert.Contains("common", types);
        Assert.Contains("service_message", types);
        Assert.Contains("amomail_message", types);
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task The_demo_has_open_and_done_tasks_on_leads()
    {
        var open = await All("api/v4/tasks?filter[entity_type]=leads&filter[is_completed]=0&limit=250", "tasks");
        var done = await All("api/v4/tasks?filter[entity_type]=leads&filter[is_completed]=1&limit=250", "tasks");

        Assert.NotEmpty(open);
        Assert.NotEmpty(done);
    }

    [Fact, Trait("api-notes", "§7.4")]
    public async Task The_demo_has_a_lead_whose_text_value_is_longer_than_the_API_accepts()
    {
        var leads = await All("api/v4/leads?limit=250", "leads");

        Assert.Contains(leads, l => l["custom_fields_values"] is JsonArray cf &&
            cf.Any(f => f!["field_type"]!.GetValue<string>() == "text" && f["values"]![0]!["value"]!.GetValue<string>().Length > 256));
    }
}
