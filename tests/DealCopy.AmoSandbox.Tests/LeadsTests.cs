using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Leads: read one, list with filters and pages, create, update, complex add, no delete (API-NOTES §3, §4).</summary>
public sealed class LeadsTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private static async Task<long> ReferenceLeadId(Amo amo)
    {
        var answer = await amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString("Эталонная сделка"));
        Assert.Equal(200, answer.Code);
        return answer.Embedded("leads")[0]!["id"]!.GetValue<long>();
    }

    private static async Task<List<long>> Ids(Amo amo, string kind, int count)
    {
        var answer = await amo.Get($"api/v4/{kind}?limit={count}");
        Assert.Equal(200, answer.Code);
        return answer.Embedded(kind).Select(x => x!["id"]!.GetValue<long>()).ToList();
    }

    private static async Task<JsonObject> Lead(Amo amo, long id, string with = "")
    {
        var answer = await amo.Get($"api/v4/leads/{id}" + (with.Length > 0 ? "?with=" + with : ""));
        Assert.True(answer.Code == 200, answer.ToString());
        return answer.Object;
    }

    private static List<string> TagNames(JsonObject lead) =>
        lead["_embedded"]!["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Order().ToList();

    [Fact, Trait("api-notes", "§4.1")]
    public async Task One_lead_is_read_with_contacts_products_loss_reason_and_source_id()
    {
        var id = await ReferenceLeadId(_amo);

        var lead = await Lead(_amo, id, "contacts,catalog_elements,loss_reason,source_id");

        Assert.Equal(id, lead["id"]!.GetValue<long>());
        Assert.True(lead.ContainsKey("source_id"));
        var embedded = lead["_embedded"]!;
        var contacts = embedded["contacts"]!.AsArray();
        Assert.True(contacts.Count >= 2);
        Assert.Single(contacts, c => c!["is_main"]!.GetValue<bool>());
        var products = embedded["catalog_elements"]!.AsArray();
        Assert.NotEmpty(products);
        Assert.All(products, p => Assert.True(p!["metadata"]!["quantity"]!.GetValue<decimal>() > 0));
        Assert.NotNull(embedded["loss_reason"]!.AsArray());
        Assert.NotNull(embedded["companies"]!.AsArray());
        Assert.NotNull(embedded["tags"]!.AsArray());
    }

    [Fact, Trait("api-notes", "§4.2")]
    public async Task Contacts_and_products_are_embedded_only_when_asked_for()
    {
        var id = await ReferenceLeadId(_amo);

        var lead = await Lead(_amo, id);

        Assert.Null(lead["_embedded"]!["contacts"]);
        Assert.Null(lead["_embedded"]!["catalog_elements"]);
        Assert.NotNull(lead["_embedded"]!["companies"]);
    }

    [Fact, Trait("api-notes", "§4.2")]
    public async Task A_lost_lead_shows_its_loss_reason_as_an_array()
    {
        var main = Pipelines.Id((await _amo.PipelinesAsync()).Main);
        var lost = await _amo.Get($"api/v4/leads?filter[statuses][0][pipeline_id]={main}&filter[statuses][0][status_id]=143");
        var id = lost.Embedded("leads").First(l => l!["loss_reason_id"] is not null)!["id"]!.GetValue<long>();

        var lead = await Lead(_amo, id, "loss_reason");

        var reason = Assert.Single(lead["_embedded"]!["loss_reason"]!.AsArray());
        Assert.Equal(lead["loss_reason_id"]!.GetValue<long>(), reason!["id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task A_missing_lead_is_204_with_an_empty_body()
    {
        var answer = await _amo.Get("api/v4/leads/1");

        Assert.Equal(204, answer.Code);
        Assert.Equal("", answer.Text);
    }

    [Fact, Trait("api-notes", "§4.1")]
    public async Task The_list_filters_by_several_ids()
    {
        var ids = await Ids(_amo, "leads", 5);

        var answer = await _amo.Get($"api/v4/leads?filter[id][]={ids[1]}&filter[id][]={ids[3]}");

        Assert.Equal(new[] { ids[1], ids[3] }, answer.Embedded("leads").Select(l => l!["id"]!.GetValue<long>()).Order());
    }

    [Fact, Trait("api-notes", "§4.1")]
    public async Task The_list_filters_by_pipeline()
    {
        var pipeline = Pipelines.Id((await _amo.PipelinesAsync()).All.First(p => !p["is_main"]!.GetValue<bool>()));

        var answer = await _amo.Get($"api/v4/leads?filter[pipeline_id]={pipeline}&limit=250");

        Assert.Equal(200, answer.Code);
        Assert.All(answer.Embedded("leads"), l => Assert.Equal(pipeline, l!["pipeline_id"]!.GetValue<long>()));
    }

    [Fact, Trait("api-notes", "§4.1")]
    public async Task The_list_filters_by_a_created_at_range()
    {
        var leads = (await _amo.Control.DumpAsync(_amo.AccountId))["leads"]!.AsArray().Select(l => l!["created_at"]!.GetValue<long>()).Order().ToList();
        var from = leads[10];
        var to = leads[19];
        var expected = leads.Count(c => c >= from && c <= to);

        var answer = await _amo.Get($"api/v4/leads?filter[created_at][from]={from}&filter[created_at][to]={to}&limit=250");

        var found = answer.Embedded("leads");
        Assert.Equal(expected, found.Count);
        Assert.All(found, l => Assert.InRange(l!["created_at"]!.GetValue<long>(), from, to));
    }

    [Fact, Trait("api-notes", "§4.1")]
    public async Task Walking_the_pages_by_links_next_returns_every_lead_once()
    {
        var total = await _amo.LeadCount();
        var seen = new HashSet<long>();
        var pages = 0;

        string? next = "api/v4/leads?limit=50";
        while (next is not null)
        {
            var answer = await _amo.Get(next);
            Assert.Equal(200, answer.Code);
            pages++;
            Assert.Equal(pages, answer.Object["_page"]!.GetValue<int>());
            foreach (var l in answer.Embedded("leads")) Assert.True(seen.Add(l!["id"]!.GetValue<long>()));
            next = answer.Object["_links"]!["next"]?["href"]?.GetValue<string>();
        }

        Assert.Equal(total, seen.Count);
        Assert.Equal((total + 49) / 50, pages);
    }

    [Fact, Trait("api-notes", "§4.1")]
    public async Task The_list_is_ordered_by_order_id_and_order_created_at()
    {
        var desc = (await _amo.Get("api/v4/leads?order[id]=desc&limit=10")).Embedded("leads").Select(l => l!["id"]!.GetValue<long>()).ToList();
        var asc = (await _amo.Get("api/v4/leads?order[created_at]=asc&limit=10")).Embedded("leads").Select(l => l!["created_at"]!.GetValue<long>()).ToList();

        Assert.Equal(desc.OrderDescending(), desc);
        Assert.Equal(asc.Order(), asc);
        Problem.Assert(await _amo.Get("api/v4/leads?order[id]=sideways"), 400);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task A_limit_over_250_is_422()
    {
        var problem = Problem.Assert(await _amo.Get("api/v4/leads?limit=251"), 422);

        Assert.Equal("Limit 250 per page", problem["detail"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task An_empty_list_is_204_with_an_empty_body()
    {
        var answer = await _amo.Get("api/v4/leads?filter[id]=1");

        Assert.Equal(204, answer.Code);
        Assert.Equal("", answer.Text);
    }

    [Fact, Trait("api-notes", "§4.3")]
    public async Task Created_leads_echo_request_id_and_default_it_to_the_index()
    {
        var answer = await _amo.Post("api/v4/leads", new JsonArray(
            new JsonObject { ["name"] = "With id", ["request_id"] = "job-42" },
            new JsonObject { ["name"] = "Without id" }));

        Assert.Equal(200, answer.Code);
        Assert.Equal("application/hal+json", answer.MediaType);
        var created = answer.Embedded("leads");
        Assert.Equal("job-42", created[0]!["request_id"]!.GetValue<string>());
        Assert.Equal("1", created[1]!["request_id"]!.GetValue<string>());
        var second = await Lead(_amo, created[1]!["id"]!.GetValue<long>());
        Assert.Equal("Without id", second["name"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§4.3")]
    public async Task A_lead_without_a_status_lands_in_the_first_regular_stage_of_the_main_pipeline()
    {
        var main = (await _amo.PipelinesAsync()).Main;

        var lead = await Lead(_amo, await _amo.CreateLead(new JsonObject { ["name"] = "Default stage" }));

        Assert.Equal(Pipelines.Id(main), lead["pipeline_id"]!.GetValue<long>());
        Assert.Equal(Pipelines.Regular(main)[0], lead["status_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§4.3")]
    public async Task A_lead_is_created_with_contacts_company_tags_and_tags_to_add()
    {
        var contacts = await Ids(_amo, "contacts", 2);
        var company = (await Ids(_amo, "companies", 1))[0];

        var id = await _amo.CreateLead(new JsonObject
        {
            ["name"] = "Embedded",
            ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "from-tags-to-add" }),
            ["_embedded"] = new JsonObject
            {
                ["contacts"] = new JsonArray(new JsonObject { ["id"] = contacts[0], ["is_main"] = false }, new JsonObject { ["id"] = contacts[1], ["is_main"] = true }),
                ["companies"] = new JsonArray(new JsonObject { ["id"] = company }),
                ["tags"] = new JsonArray(new JsonObject { ["name"] = "brand-new-tag" }, new JsonObject { ["name"] = "VIP" }),
            },
        });

        var lead = await Lead(_amo, id, "contacts");
        var linked = lead["_embedded"]!["contacts"]!.AsArray();
        Assert.Equal(contacts.Order(), linked.Select(c => c!["id"]!.GetValue<long>()).Order());
        Assert.Equal(contacts[1], linked.Single(c => c!["is_main"]!.GetValue<bool>())!["id"]!.GetValue<long>());
        Assert.Equal(company, lead["_embedded"]!["companies"]![0]!["id"]!.GetValue<long>());
        Assert.Equal(new[] { "brand-new-tag", "from-tags-to-add", "VIP" }.Order(), TagNames(lead));
    }

    [Fact, Trait("api-notes", "§4.2")]
    public async Task A_lead_without_field_values_reads_custom_fields_values_as_null_not_an_empty_array()
    {
        var lead = await Lead(_amo, await _amo.CreateLead(new JsonObject { ["name"] = "No fields" }));

        Assert.True(lead.ContainsKey("custom_fields_values"));
        Assert.Null(lead["custom_fields_values"]);
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task A_batch_PATCH_updates_every_lead_and_answers_ids_with_updated_at()
    {
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "A" });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "B" });

        var answer = await _amo.Patch("api/v4/leads", new JsonArray(
            new JsonObject { ["id"] = a, ["name"] = "A2", ["price"] = 100 },
            new JsonObject { ["id"] = b, ["name"] = "B2" }));

        Assert.Equal(200, answer.Code);
        Assert.All(answer.Embedded("leads"), l => Assert.NotNull(l!["updated_at"]));
        Assert.Equal("A2", (await Lead(_amo, a))["name"]!.GetValue<string>());
        Assert.Equal(100, (await Lead(_amo, a))["price"]!.GetValue<decimal>());
        Assert.Equal("B2", (await Lead(_amo, b))["name"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task A_single_PATCH_updates_one_lead_and_can_move_it_to_another_pipeline()
    {
        var other = (await _amo.PipelinesAsync()).All.First(p => !p["is_main"]!.GetValue<bool>() && !p["is_archive"]!.GetValue<bool>());
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Single" });

        var answer = await _amo.Patch($"api/v4/leads/{id}", new JsonObject
        {
            ["name"] = "Moved", ["pipeline_id"] = Pipelines.Id(other), ["status_id"] = Pipelines.Regular(other)[1],
        });

        Assert.Equal(200, answer.Code);
        Assert.Equal(id, answer.Object["id"]!.GetValue<long>());
        var lead = await Lead(_amo, id);
        Assert.Equal("Moved", lead["name"]!.GetValue<string>());
        Assert.Equal(Pipelines.Id(other), lead["pipeline_id"]!.GetValue<long>());
        Assert.Equal(Pipelines.Regular(other)[1], lead["status_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task Embedded_tags_on_PATCH_replace_all_tags()
    {
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Tags", ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "one" }, new JsonObject { ["name"] = "two" }) });

        await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["_embedded"] = new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["name"] = "three" }) } });
        Assert.Equal(new[] { "three" }, TagNames(await Lead(_amo, id)));

        await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["_embedded"] = new JsonObject { ["tags"] = null } });
        Assert.Empty(TagNames(await Lead(_amo, id)));
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task Tags_to_add_and_tags_to_delete_on_PATCH_keep_the_other_tags()
    {
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Tags", ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "keep" }, new JsonObject { ["name"] = "drop" }) });

        var answer = await _amo.Patch($"api/v4/leads/{id}", new JsonObject
        {
            ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "added" }),
            ["tags_to_delete"] = new JsonArray(new JsonObject { ["name"] = "drop" }),
        });

        Assert.Equal(200, answer.Code);
        Assert.Equal(new[] { "added", "keep" }, TagNames(await Lead(_amo, id)));
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task More_than_250_leads_in_one_request_is_422_and_nothing_is_created()
    {
        var before = await _amo.LeadCount();
        var batch = new JsonArray(Enumerable.Range(0, 251).Select(i => (JsonNode)new JsonObject { ["name"] = $"L{i}" }).ToArray());

        Problem.Assert(await _amo.Post("api/v4/leads", batch), 422);
        Problem.Assert(await _amo.Patch("api/v4/leads", batch), 422);

        Assert.Equal(before, await _amo.LeadCount());
    }

    [Fact, Trait("api-notes", "§4.5")]
    public async Task Complex_add_creates_lead_contact_and_company_and_answers_a_plain_array()
    {
        var existingContact = (await Ids(_amo, "contacts", 1))[0];

        var answer = await _amo.Post("api/v4/leads/complex", new JsonArray(
            new JsonObject
            {
                ["name"] = "Complex new", ["request_id"] = "c1",
                ["_embedded"] = new JsonObject
                {
                    ["contacts"] = new JsonArray(new JsonObject { ["first_name"] = "Новый", ["last_name"] = "Контакт" }),
                    ["companies"] = new JsonArray(new JsonObject { ["name"] = "ООО Комплекс" }),
                },
            },
            new JsonObject { ["name"] = "Complex existing", ["_embedded"] = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["id"] = existingContact }) } }));

        Assert.Equal(200, answer.Code);
        var results = answer.Json.AsArray();
        Assert.Equal(2, results.Count);
        var first = results[0]!;
        Assert.Equal("c1", first["request_id"]![0]!.GetValue<string>());
        Assert.False(first["merged"]!.GetValue<bool>());
        var contactId = first["contact_id"]!.GetValue<long>();
        var companyId = first["company_id"]!.GetValue<long>();
        var lead = await Lead(_amo, first["id"]!.GetValue<long>(), "contacts");
        Assert.Equal(contactId, lead["_embedded"]!["contacts"]![0]!["id"]!.GetValue<long>());
        Assert.Equal(companyId, lead["_embedded"]!["companies"]![0]!["id"]!.GetValue<long>());
        var contact = await _amo.Get($"api/v4/contacts/{contactId}");
        Assert.Equal(companyId, contact.Object["_embedded"]!["companies"]![0]!["id"]!.GetValue<long>());
        Assert.Equal(existingContact, results[1]!["contact_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§4.5")]
    public async Task Complex_add_refuses_more_than_50_leads_and_two_contacts_per_lead()
    {
        var before = await _amo.LeadCount();
        var contacts = await Ids(_amo, "contacts", 2);

        var tooMany = new JsonArray(Enumerable.Range(0, 51).Select(i => (JsonNode)new JsonObject { ["name"] = $"C{i}" }).ToArray());
        Problem.Assert(await _amo.Post("api/v4/leads/complex", tooMany), 422);

        var twoContacts = await _amo.Post("api/v4/leads/complex", new JsonArray(new JsonObject
        {
            ["name"] = "Two contacts",
            ["_embedded"] = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["id"] = contacts[0] }, new JsonObject { ["id"] = contacts[1] }) },
        }));
        Assert.Contains(Problem.ValidationErrors(twoContacts, "0"), e => e["path"]!.GetValue<string>() == "_embedded.contacts");

        Assert.Equal(before, await _amo.LeadCount());
    }

    [Fact, Trait("api-notes", "§4.4a")]
    public async Task Deleting_a_lead_is_405_because_API_v4_has_no_delete_and_the_lead_stays()
    {
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Undeletable" });

        var answer = await _amo.Http.Call(HttpMethod.Delete, $"api/v4/leads/{id}");

        Problem.Assert(answer, 405);
        Assert.Equal(200, (await _amo.Get($"api/v4/leads/{id}")).Code);
        Problem.Assert(await _amo.Http.Call(HttpMethod.Delete, "api/v4/leads", new JsonArray(new JsonObject { ["id"] = id })), 405);
        Assert.Equal(200, (await _amo.Get($"api/v4/leads/{id}")).Code);
    }
}
