using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>
/// The sandbox answers in the shapes of amoCRM's documented examples and accepts its documented requests
/// (the repository's copy of shared/amocrm/examples, see Support/Examples.cs; API-NOTES §3–§13).
/// Tests only add their own entities, so they share one sandbox.
/// </summary>
public sealed class ExamplesTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private async Task<Dictionary<string, long>> Ids()
    {
        long First(Answer a, string key) => a.Embedded(key)[0]!["id"]!.GetValue<long>();
        var reference = await _amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString("Эталонная сделка"));
        var catalogs = (await _amo.Get("api/v4/catalogs")).Embedded("catalogs");
        var products = catalogs.First(c => c!["type"]!.GetValue<string>() == "products")!["id"]!.GetValue<long>();
        var lead = First(reference, "leads");
        var pipeline = (await _amo.PipelinesAsync()).Main;
        return new Dictionary<string, long>
        {
            ["lead"] = lead,
            ["contact"] = First(await _amo.Get("api/v4/contacts?limit=1"), "contacts"),
            ["company"] = First(await _amo.Get("api/v4/companies?limit=1"), "companies"),
            ["products"] = products,
            ["element"] = First(await _amo.Get($"api/v4/catalogs/{products}/elements?limit=1"), "elements"),
            ["catalog_field"] = First(await _amo.Get($"api/v4/catalogs/{products}/custom_fields"), "custom_fields"),
            ["task"] = First(await _amo.Get($"api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]={lead}"), "tasks"),
            ["note"] = First(await _amo.Get($"api/v4/leads/{lead}/notes"), "notes"),
            ["pipeline"] = Pipelines.Id(pipeline),
            ["status"] = Pipelines.Regular(pipeline)[0],
        };
    }

    [Theory, Trait("api-notes", "§4.2")]
    [InlineData("leads-api-01", "api/v4/leads?with=source_id")]
    [InlineData("contacts-api-02", "api/v4/contacts/{contact}")]
    [InlineData("companies-api-02", "api/v4/companies/{company}")]
    [InlineData("tasks-api-01", "api/v4/tasks")]
    [InlineData("events-and-notes-16", "api/v4/leads/{lead}/notes")]
    [InlineData("catalogs-api-01", "api/v4/catalogs")]
    [InlineData("catalogs-api-07", "api/v4/catalogs/{products}/elements")]
    [InlineData("leads_pipelines-01", "api/v4/leads/pipelines")]
    [InlineData("users-api-01", "api/v4/users?with=role,group")]
    [InlineData("tags-api-01", "api/v4/leads/tags")]
    [InlineData("custom-fields-01", "api/v4/catalogs/{products}/custom_fields")]
    [InlineData("entity-links-api-01", "api/v4/leads/{lead}/links")]
    [InlineData("contacts-api-01", "api/v4/contacts")]
    [InlineData("companies-api-01", "api/v4/companies")]
    [InlineData("tasks-api-02", "api/v4/tasks/{task}")]
    [InlineData("events-and-notes-15", "api/v4/leads/notes")]
    [InlineData("events-and-notes-17", "api/v4/leads/{lead}/notes/{note}")]
    [InlineData("catalogs-api-02", "api/v4/catalogs/{products}")]
    [InlineData("catalogs-api-08", "api/v4/catalogs/{products}/elements/{element}")]
    [InlineData("custom-fields-02", "api/v4/catalogs/{products}/custom_fields/{catalog_field}")]
    [InlineData("leads_pipelines-02", "api/v4/leads/pipelines/{pipeline}")]
    [InlineData("leads_pipelines-07", "api/v4/leads/pipelines/{pipeline}/statuses?with=descriptions")]
    [InlineData("leads_pipelines-08", "api/v4/leads/pipelines/{pipeline}/statuses/{status}?with=descriptions")]
    [InlineData("users-api-02", "api/v4/users/5000002?with=role,group")]
    public async Task A_read_answer_has_every_key_of_amoCRMs_documented_example(string example, string path)
    {
        foreach (var (name, id) in await Ids()) path = path.Replace("{" + name + "}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var documented = Examples.Load(example);

        var answer = await _amo.Get(path);

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Equal("application/hal+json", answer.MediaType);
        if (documented is JsonObject top && answer.Json is JsonObject actualTop)
            Assert.Empty(Examples.MissingKeys(top, actualTop));
        Assert.Empty(Examples.MissingKeys(Examples.Item(documented), Examples.Item(answer.Json)));
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task An_unknown_field_is_refused_with_exactly_amoCRMs_documented_error_body()
    {
        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_id"] = 1, ["values"] = new JsonArray(new JsonObject { ["value"] = "x" }) }),
        }));

        Problem.Assert(answer, 400);
        Assert.True(JsonNode.DeepEquals(Examples.Load("error-codes-01"), answer.Json), answer.Text);
    }

    [Fact, Trait("api-notes", "§4.3")]
    public async Task The_documented_lead_create_request_is_accepted_and_answered_in_the_documented_shape()
    {
        var dump = await _amo.Control.DumpAsync(_amo.AccountId);
        var text = dump["lead_fields"]!.AsArray().First(f => f!["type"]!.GetValue<string>() == "text")!["id"]!.GetValue<long>();
        var tags = (await _amo.Get("api/v4/leads/tags")).Embedded("tags").Select(t => t!["id"]!.GetValue<long>()).ToList();
        var request = Examples.Mapped("leads-api-02", new Dictionary<long, long> { [294471] = text, [217261] = tags[0], [2719] = tags[1] });

        var answer = await _amo.Post("api/v4/leads", request);

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Load("leads-api-03").AsObject(), answer.Object));
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("leads-api-03")), Examples.Item(answer.Json)));
        var first = (await _amo.Get($"api/v4/leads/{answer.Embedded("leads")[0]!["id"]}")).Object;
        Assert.Equal(0, first["created_by"]!.GetValue<long>());
        Assert.Equal(2, first["_embedded"]!["tags"]!.AsArray().Count);
    }

    [Fact, Trait("api-notes", "§4.5")]
    public async Task The_documented_complex_request_is_accepted_and_its_metadata_lead_lands_in_Unsorted()
    {
        var main = (await _amo.PipelinesAsync()).Main;
        var leadFields = (await _amo.Control.DumpAsync(_amo.AccountId))["lead_fields"]!.AsArray().Select(f => f!.AsObject()).ToList();
        var multiselect = leadFields.First(f => f["type"]!.GetValue<string>() == "multiselect");
        var contactFields = (await _amo.Get("api/v4/contacts/custom_fields")).Embedded("custom_fields").Select(f => f!.AsObject()).ToList();
        var email = contactFields.Single(f => f["code"]?.GetValue<string>() == "EMAIL");
        var phone = contactFields.Single(f => f["code"]?.GetValue<string>() == "PHONE");
        long EnumId(JsonObject field, int i) => field["enums"]![i]!["id"]!.GetValue<long>();
        var request = Examples.Mapped("leads-api-04", new Dictionary<long, long>
        {
            [1286573] = leadFields.First(f => f["type"]!.GetValue<string>() == "text")["id"]!.GetValue<long>(),
            [1286575] = multiselect["id"]!.GetValue<long>(), [2957741] = EnumId(multiselect, 0), [2957743] = EnumId(multiselect, 1),
            [66186] = email["id"]!.GetValue<long>(), [193200] = EnumId(email, 0),
            [66192] = phone["id"]!.GetValue<long>(), [193226] = EnumId(phone, 0),
            [2004184] = 5000002, [3383152] = Pipelines.Id(main),
            [33929752] = Pipelines.Regular(main)[0], [33929749] = Pipelines.Unsorted(main),
        });

        var answer = await _amo.Post("api/v4/leads/complex", request);

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("leads-api-05")), Examples.Item(answer.Json)));
        var results = answer.Json.AsArray();
        var regular = (await _amo.Get($"api/v4/leads/{results[0]!["id"]}")).Object;
        var unsorted = (await _amo.Get($"api/v4/leads/{results[1]!["id"]}")).Object;
        Assert.Equal(Pipelines.Regular(main)[0], regular["status_id"]!.GetValue<long>());
        Assert.Equal(5000002, regular["responsible_user_id"]!.GetValue<long>());
        Assert.Equal(Pipelines.Unsorted(main), unsorted["status_id"]!.GetValue<long>());
        Assert.Equal(new[] { "qweasd" }, results[0]!["request_id"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task The_documented_lead_update_request_closes_one_lead_as_lost_and_clears_the_tags_of_the_other()
    {
        var main = (await _amo.PipelinesAsync()).Main;
        var reason = (await _amo.Get("api/v4/leads/loss_reasons")).Embedded("loss_reasons")[0]!["id"]!.GetValue<long>();
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "Will be lost", ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "Первый тег" }) });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "Loses tags", ["tags_to_add"] = new JsonArray(new JsonObject { ["name"] = "Тег Б" }) });
        var request = Examples.Mapped("leads-api-06", new Dictionary<long, long>
        {
            [54886] = a, [54884] = b, [47521] = Pipelines.Id(main), [525743] = Pipelines.Regular(main)[1], [7323] = reason,
        });

        var answer = await _amo.Patch("api/v4/leads", request);

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("leads-api-07")), Examples.Item(answer.Json)));
        var lost = (await _amo.Get($"api/v4/leads/{a}")).Object;
        Assert.Equal(143, lost["status_id"]!.GetValue<long>());
        Assert.Equal(reason, lost["loss_reason_id"]!.GetValue<long>());
        Assert.Equal(1589297221, lost["closed_at"]!.GetValue<long>());
        Assert.Equal(new[] { "Второй тег" }, lost["_embedded"]!["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        var cleared = (await _amo.Get($"api/v4/leads/{b}")).Object;
        Assert.Empty(cleared["_embedded"]!["tags"]!.AsArray());
        Assert.Equal(50000, cleared["price"]!.GetValue<decimal>());
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task The_documented_link_unlink_and_bulk_requests_are_accepted_and_answered_in_the_documented_shape()
    {
        var ids = await Ids();
        var element = (await _amo.Get($"api/v4/catalogs/{ids["products"]}/elements?limit=1")).Embedded("elements")[0]!["id"]!.GetValue<long>();
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "Link example A" });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "Link example B" });
        var map = new Dictionary<long, long> { [10] = element, [1026] = ids["products"], [457282] = ids["contact"], [14158851] = a, [14158852] = b, [14158853] = b };

        var linked = await _amo.Post($"api/v4/leads/{a}/link", Examples.Mapped("entity-links-api-02", map));
        var bulk = await _amo.Post("api/v4/leads/link", Examples.Mapped("entity-links-api-05", map));

        foreach (var (answer, documented) in new[] { (linked, "entity-links-api-03"), (bulk, "entity-links-api-06") })
        {
            Assert.True(answer.Code == 200, answer.ToString());
            Assert.Empty(Examples.MissingKeys(Examples.Load(documented).AsObject(), answer.Object));
            Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load(documented)), Examples.Item(answer.Json)));
            Assert.Equal(2, answer.Embedded("links").Count);
        }
        var contactLink = linked.Embedded("links").Single(l => l!["to_entity_type"]!.GetValue<string>() == "contacts")!;
        Assert.True(contactLink["metadata"]!["main_contact"]!.GetValue<bool>());

        Assert.Equal(204, (await _amo.Post($"api/v4/leads/{a}/unlink", Examples.Mapped("entity-links-api-04", map))).Code);
        Assert.Equal(204, (await _amo.Post("api/v4/leads/unlink", Examples.Mapped("entity-links-api-07", map))).Code);
        Assert.Equal(204, (await _amo.Get($"api/v4/leads/links?filter[entity_id][]={a}&filter[entity_id][]={b}")).Code);
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task The_documented_task_create_request_is_accepted()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Task example" });

        var answer = await _amo.Post("api/v4/tasks", Examples.Mapped("tasks-api-03", new Dictionary<long, long> { [9785993] = lead }));

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("tasks-api-04")), Examples.Item(answer.Json)));
        Assert.Equal("example", answer.Embedded("tasks")[0]!["request_id"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§12")]
    public async Task The_documented_task_update_and_completion_requests_are_accepted()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Task update example" });
        var till = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        var created = await _amo.Post("api/v4/tasks", new JsonArray(
            new JsonObject { ["text"] = "one", ["complete_till"] = till, ["entity_id"] = lead, ["entity_type"] = "leads" },
            new JsonObject { ["text"] = "two", ["complete_till"] = till, ["entity_id"] = lead, ["entity_type"] = "leads" }));
        var (first, second) = (created.Embedded("tasks")[0]!["id"]!.GetValue<long>(), created.Embedded("tasks")[1]!["id"]!.GetValue<long>());

        var updated = await _amo.Patch("api/v4/tasks", Examples.Mapped("tasks-api-05", new Dictionary<long, long> { [4745251] = first, [4747929] = second }));
        var completed = await _amo.Patch($"api/v4/tasks/{first}", Examples.Load("tasks-api-07"));

        Assert.True(updated.Code == 200, updated.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Load("tasks-api-06").AsObject(), updated.Object));
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("tasks-api-06")), Examples.Item(updated.Json)));
        Assert.True(completed.Code == 200, completed.ToString());
        var task = (await _amo.Get($"api/v4/tasks/{first}")).Object;
        Assert.Equal("Новое название для задачи", task["text"]!.GetValue<string>());
        Assert.Equal(2, task["task_type_id"]!.GetValue<long>());
        Assert.True(task["is_completed"]!.GetValue<bool>());
        Assert.Equal("Удалось связаться с клиентом", task["result"]!["text"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§10")]
    public async Task The_documented_tag_requests_are_accepted_and_answered_in_the_documented_shape()
    {
        var created = await _amo.Post("api/v4/leads/tags", Examples.Load("tags-api-02"));

        Assert.True(created.Code == 200, created.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Load("tags-api-03").AsObject(), created.Object));
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("tags-api-03")), Examples.Item(created.Json)));
        Assert.Equal("my_request_id", created.Embedded("tags")[1]!["request_id"]!.GetValue<string>());

        var tag = created.Embedded("tags")[0]!["id"]!.GetValue<long>();
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "Tag example A" });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "Tag example B" });
        var tagged = await _amo.Patch("api/v4/leads", Examples.Mapped("tags-api-04", new Dictionary<long, long> { [167353] = a, [167355] = b, [263807] = tag }));
        Assert.True(tagged.Code == 200, tagged.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("tags-api-05")), Examples.Item(tagged.Json)));
        Assert.Equal("Tag 1", (await _amo.Get($"api/v4/leads/{a}")).Object["_embedded"]!["tags"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Тег 2", (await _amo.Get($"api/v4/leads/{b}")).Object["_embedded"]!["tags"]![0]!["name"]!.GetValue<string>());

        Assert.Equal(200, (await _amo.Patch($"api/v4/leads/{a}", Examples.Load("tags-api-06"))).Code);
        Assert.Empty((await _amo.Get($"api/v4/leads/{a}")).Object["_embedded"]!["tags"]!.AsArray());
    }

    [Fact, Trait("api-notes", "§6")]
    public async Task The_documented_company_create_request_is_accepted()
    {
        var answer = await _amo.Post("api/v4/companies", Examples.Load("companies-api-03"));

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("companies-api-04")), Examples.Item(answer.Json)));
        var company = (await _amo.Get($"api/v4/companies/{answer.Embedded("companies")[0]!["id"]}")).Object;
        Assert.Equal("+7912322222", company["custom_fields_values"]![0]!["values"]![0]!["value"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§11")]
    public async Task The_documented_note_create_request_is_accepted()
    {
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Note example" });

        var answer = await _amo.Post("api/v4/leads/notes", Examples.Mapped("events-and-notes-18", new Dictionary<long, long> { [167353] = lead, [8238874] = 5000002 }));

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("events-and-notes-20")), Examples.Item(answer.Json)));
        Assert.Equal(3, (await _amo.Get($"api/v4/leads/{lead}/notes")).Embedded("notes").Count);
    }

    [Fact, Trait("api-notes", "§6")]
    public async Task The_documented_contact_create_request_is_accepted()
    {
        var position = (await _amo.Get("api/v4/contacts/custom_fields")).Embedded("custom_fields").Single(f => f!["code"]?.GetValue<string>() == "POSITION")!["id"]!.GetValue<long>();

        var answer = await _amo.Post("api/v4/contacts", Examples.Mapped("contacts-api-03", new Dictionary<long, long> { [271316] = position, [47272] = 5000003 }));

        Assert.True(answer.Code == 200, answer.ToString());
        Assert.Empty(Examples.MissingKeys(Examples.Item(Examples.Load("contacts-api-04")), Examples.Item(answer.Json)));
        var second = (await _amo.Get($"api/v4/contacts/{answer.Embedded("contacts")[1]!["id"]}")).Object;
        Assert.Equal("Тег контакта", second["_embedded"]!["tags"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(5000003, second["created_by"]!.GetValue<long>());
    }
}
