using System.Globalization;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>What amoCRM refuses, and that a refused batch writes nothing (API-NOTES §3, §4.4, §7.3, §7.4, §8).</summary>
public sealed class ValidationTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private static JsonObject Cf(JsonObject field, JsonNode values) =>
        new() { ["field_id"] = field["id"]!.GetValue<long>(), ["values"] = values };

    [Fact, Trait("api-notes", "§8")]
    public async Task Creating_a_lead_in_Unsorted_is_refused_and_nothing_is_created()
    {
        var main = (await _amo.PipelinesAsync()).Main;
        var before = await _amo.LeadCount();

        var answer = await _amo.Post("api/v4/leads", new JsonArray(
            new JsonObject { ["name"] = "Valid one", ["request_id"] = "ok" },
            new JsonObject { ["name"] = "Into Unsorted", ["request_id"] = "unsorted", ["pipeline_id"] = Pipelines.Id(main), ["status_id"] = Pipelines.Unsorted(main) }));

        var error = Assert.Single(Problem.ValidationErrors(answer, "unsorted"));
        Assert.Equal("NotSupportedChoice", error["code"]!.GetValue<string>());
        Assert.Equal("status_id", error["path"]!.GetValue<string>());
        Assert.DoesNotContain(answer.Object["validation-errors"]!.AsArray(), e => e!["request_id"]!.GetValue<string>() == "ok");
        Assert.Equal(before, await _amo.LeadCount());
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task Moving_a_lead_into_Unsorted_is_refused()
    {
        var main = (await _amo.PipelinesAsync()).Main;
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Stays" });

        var answer = await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["pipeline_id"] = Pipelines.Id(main), ["status_id"] = Pipelines.Unsorted(main) });

        Assert.Equal("status_id", Problem.ValidationErrors(answer, "0")[0]["path"]!.GetValue<string>());
        Assert.Equal(Pipelines.Regular(main)[0], (await _amo.Get($"api/v4/leads/{id}")).Object["status_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§4.3")]
    public async Task A_status_of_another_pipeline_and_an_unknown_pipeline_are_refused()
    {
        var pipelines = await _amo.PipelinesAsync();
        var other = pipelines.All.First(p => !p["is_main"]!.GetValue<bool>());

        var answer = await _amo.Post("api/v4/leads", new JsonArray(
            new JsonObject { ["pipeline_id"] = Pipelines.Id(pipelines.Main), ["status_id"] = Pipelines.Regular(other)[0] },
            new JsonObject { ["pipeline_id"] = 1, ["status_id"] = Pipelines.Regular(other)[0] }));

        Assert.Contains(Problem.ValidationErrors(answer, "0"), e => e["path"]!.GetValue<string>() == "status_id");
        Assert.Contains(Problem.ValidationErrors(answer, "1"), e => e["path"]!.GetValue<string>() == "pipeline_id");
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task A_loss_reason_on_a_new_lead_that_is_not_lost_is_a_validation_error()
    {
        var reason = (await _amo.Get("api/v4/leads/loss_reasons")).Embedded("loss_reasons")[0]!["id"]!.GetValue<long>();
        var before = await _amo.LeadCount();

        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["name"] = "Open", ["loss_reason_id"] = reason }));

        Assert.Contains(Problem.ValidationErrors(answer, "0"), e => e["path"]!.GetValue<string>() == "loss_reason_id");
        Assert.Equal(before, await _amo.LeadCount());
        // A lost lead takes it.
        var lost = await _amo.CreateLead(new JsonObject { ["name"] = "Lost", ["status_id"] = 143, ["loss_reason_id"] = reason });
        Assert.Equal(reason, (await _amo.Get($"api/v4/leads/{lost}")).Object["loss_reason_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task A_loss_reason_patched_onto_an_open_lead_answers_amoCRMs_second_error_shape()
    {
        var reason = (await _amo.Get("api/v4/leads/loss_reasons")).Embedded("loss_reasons")[0]!["id"]!.GetValue<long>();
        var id = await _amo.CreateLead(new JsonObject { ["name"] = "Open" });

        var answer = await _amo.Patch("api/v4/leads", new JsonArray(new JsonObject { ["id"] = id, ["loss_reason_id"] = reason }));

        var problem = Problem.Assert(answer, 400);
        Assert.Equal("Invalid request body", problem["detail"]!.GetValue<string>());
        Assert.Equal("Loss reason can be specified only for lost lead", problem["errors"]![id.ToString(CultureInfo.InvariantCulture)]!.GetValue<string>());
        Assert.Null((await _amo.Get($"api/v4/leads/{id}")).Object["loss_reason_id"]);
    }

    [Fact, Trait("api-notes", "§7.4")]
    public async Task A_text_value_longer_than_256_characters_is_refused()
    {
        var text = await _amo.LeadField("text");
        var before = await _amo.LeadCount();

        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(Cf(text, new JsonArray(new JsonObject { ["value"] = new string('я', 257) }))),
        }));

        var error = Assert.Single(Problem.ValidationErrors(answer, "0"));
        Assert.Equal("custom_fields_values.0.values.0.value", error["path"]!.GetValue<string>());
        Assert.Equal(before, await _amo.LeadCount());
        // Exactly 256 is fine.
        await _amo.CreateLead(new JsonObject { ["custom_fields_values"] = new JsonArray(Cf(text, new JsonArray(new JsonObject { ["value"] = new string('я', 256) }))) });
    }

    [Fact, Trait("api-notes", "§7.3")]
    public async Task An_enum_that_does_not_exist_is_refused()
    {
        var select = await _amo.LeadField("select");

        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(Cf(select, new JsonArray(new JsonObject { ["enum_id"] = 1 }))),
        }));

        var error = Assert.Single(Problem.ValidationErrors(answer, "0"));
        Assert.Equal("NotSupportedChoice", error["code"]!.GetValue<string>());
        Assert.Equal("custom_fields_values.0.values.0.enum_id", error["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task An_unknown_field_id_is_refused()
    {
        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_id"] = 1, ["values"] = new JsonArray(new JsonObject { ["value"] = "x" }) }),
        }));

        var error = Assert.Single(Problem.ValidationErrors(answer, "0"));
        Assert.Equal("NotSupportedChoice", error["code"]!.GetValue<string>());
        Assert.Equal("custom_fields_values.0.field_id", error["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§7.4")]
    public async Task A_computed_field_is_refused()
    {
        var fields = (await _amo.Control.DumpAsync(_amo.AccountId))["lead_fields"]!.AsArray();
        var formula = fields.Select(f => f!.AsObject()).Single(f => f["is_computed"]!.GetValue<bool>());

        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(Cf(formula, new JsonArray(new JsonObject { ["value"] = "5" }))),
        }));

        Assert.Equal("FieldNotExpected", Assert.Single(Problem.ValidationErrors(answer, "0"))["code"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§4.2")]
    public async Task A_fractional_price_is_refused_unless_the_account_uses_minor_units()
    {
        var refused = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["name"] = "Fraction", ["price"] = 1234.56 }));
        Assert.Equal("price", Problem.ValidationErrors(refused, "0")[0]["path"]!.GetValue<string>());
        await _amo.CreateLead(new JsonObject { ["name"] = "Whole", ["price"] = 1234 });

        await using var minorUnits = await Amo.StartAsync(o => o.PriceMinorUnits = true);
        var id = await minorUnits.CreateLead(new JsonObject { ["name"] = "Fraction", ["price"] = 1234.56 });
        Assert.Equal(1234.56m, (await minorUnits.Get($"api/v4/leads/{id}")).Object["price"]!.GetValue<decimal>());
    }

    [Fact, Trait("api-notes", "§7.3")]
    public async Task Values_null_clears_a_field_and_an_empty_custom_fields_values_array_is_refused()
    {
        var text = await _amo.LeadField("text");
        var numeric = await _amo.LeadField("numeric");
        var id = await _amo.CreateLead(new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(
                Cf(text, new JsonArray(new JsonObject { ["value"] = "keep?" })),
                Cf(numeric, new JsonArray(new JsonObject { ["value"] = "7" }))),
        });

        var cleared = await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["custom_fields_values"] = new JsonArray(Cf(text, JsonValue.Create((string?)null)!)) });
        Assert.Equal(200, cleared.Code);
        var fields = (await _amo.Get($"api/v4/leads/{id}")).Object["custom_fields_values"]!.AsArray();
        Assert.Equal(numeric["id"]!.GetValue<long>(), Assert.Single(fields)!["field_id"]!.GetValue<long>());

        var empty = await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["custom_fields_values"] = new JsonArray() });
        Assert.Equal("custom_fields_values", Problem.ValidationErrors(empty, "0")[0]["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§7.4")]
    public async Task A_lead_holding_an_over_long_text_can_be_patched_unless_the_text_is_sent_again()
    {
        var all = (await _amo.Control.DumpAsync(_amo.AccountId))["leads"]!.AsArray();
        var lead = all.First(l => l!["custom_fields_values"] is JsonArray cf && cf.Any(f => f!["field_type"]!.GetValue<string>() == "text" && f["values"]![0]!["value"]!.GetValue<string>().Length > 256))!;
        var id = lead["id"]!.GetValue<long>();
        var longText = lead["custom_fields_values"]!.AsArray().First(f => f!["field_type"]!.GetValue<string>() == "text")!;

        Assert.Equal(200, (await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["name"] = "Renamed only" })).Code);

        var resent = await _amo.Patch($"api/v4/leads/{id}", new JsonObject
        {
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_id"] = longText["field_id"]!.GetValue<long>(), ["values"] = longText["values"]!.DeepClone() }),
        });
        Assert.Equal("custom_fields_values.0.values.0.value", Problem.ValidationErrors(resent, "0")[0]["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task Won_without_pipeline_id_closes_the_lead_in_its_own_pipeline()
    {
        var other = (await _amo.PipelinesAsync()).All.First(p => !p["is_main"]!.GetValue<bool>() && !p["is_archive"]!.GetValue<bool>());
        var id = await _amo.CreateLead(new JsonObject { ["pipeline_id"] = Pipelines.Id(other), ["status_id"] = Pipelines.Regular(other)[0] });

        Assert.Equal(200, (await _amo.Patch($"api/v4/leads/{id}", new JsonObject { ["status_id"] = 142 })).Code);

        var lead = (await _amo.Get($"api/v4/leads/{id}")).Object;
        Assert.Equal(Pipelines.Id(other), lead["pipeline_id"]!.GetValue<long>());
        Assert.Equal(142, lead["status_id"]!.GetValue<long>());
        Assert.NotNull(lead["closed_at"]);
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task Creating_a_lead_in_an_archived_pipeline_is_refused()
    {
        var archived = (await _amo.PipelinesAsync()).Archived;

        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["pipeline_id"] = Pipelines.Id(archived), ["status_id"] = Pipelines.Regular(archived)[0] }));

        Assert.Equal("pipeline_id", Problem.ValidationErrors(answer, "0")[0]["path"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§4.5")]
    public async Task Complex_add_refuses_more_than_40_field_values_on_a_lead()
    {
        var fields = (await _amo.Control.DumpAsync(_amo.AccountId))["lead_fields"]!.AsArray()
            .Where(f => f!["type"]!.GetValue<string>() is "text" or "textarea" or "streetaddress" or "tracking_data" or "numeric" or "monetary" && !f["is_computed"]!.GetValue<bool>())
            .Take(41).ToList();
        Assert.Equal(41, fields.Count);
        var values = new JsonArray(fields.Select(f => (JsonNode)Cf(f!.AsObject(), new JsonArray(new JsonObject { ["value"] = "1" }))).ToArray());

        var answer = await _amo.Post("api/v4/leads/complex", new JsonArray(new JsonObject { ["name"] = "Too many values", ["custom_fields_values"] = values }));

        Assert.Contains(Problem.ValidationErrors(answer, "0"), e => e["path"]!.GetValue<string>() == "custom_fields_values");
        values.RemoveAt(40);
        Assert.Equal(200, (await _amo.Post("api/v4/leads/complex", new JsonArray(new JsonObject { ["name"] = "Forty values", ["custom_fields_values"] = values.DeepClone() }))).Code);
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task Validation_errors_name_the_entity_of_the_batch_they_belong_to()
    {
        var numeric = await _amo.LeadField("numeric");
        var before = await _amo.LeadCount();

        var answer = await _amo.Post("api/v4/leads", new JsonArray(
            new JsonObject { ["name"] = "fine", ["request_id"] = "a" },
            new JsonObject { ["name"] = "bad number", ["request_id"] = "b", ["custom_fields_values"] = new JsonArray(Cf(numeric, new JsonArray(new JsonObject { ["value"] = "many" }))) },
            new JsonObject { ["name"] = "fine too" },
            new JsonObject { ["name"] = "bad user", ["responsible_user_id"] = 1 }));

        var entities = Problem.Assert(answer, 400)["validation-errors"]!.AsArray();
        Assert.Equal(new[] { "b", "3" }, entities.Select(e => e!["request_id"]!.GetValue<string>()));
        Assert.Equal("custom_fields_values.0.values.0.value", Problem.ValidationErrors(answer, "b")[0]["path"]!.GetValue<string>());
        Assert.Equal("responsible_user_id", Problem.ValidationErrors(answer, "3")[0]["path"]!.GetValue<string>());
        Assert.Equal(before, await _amo.LeadCount());
    }
}

/// <summary>Write shapes per field type (API-NOTES §7.3), table-driven over one shared sandbox.</summary>
public sealed class FieldShapeTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private async Task<JsonArray> Values(string template)
    {
        var catalogs = (await _amo.Get("api/v4/catalogs")).Embedded("catalogs");
        var models = catalogs.First(c => c!["type"]!.GetValue<string>() == "regular")!["id"]!.GetValue<long>();
        var element = (await _amo.Get($"api/v4/catalogs/{models}/elements?limit=1")).Embedded("elements")[0]!["id"]!.GetValue<long>();
        var json = template.Replace("$catalog", models.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$element", element.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$uuid", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        return JsonNode.Parse(json)!.AsArray();
    }

    private async Task<(Answer Answer, string Name)> Write(string type, string values)
    {
        var field = await _amo.LeadField(type);
        var name = $"shape {type} {Guid.NewGuid():N}";
        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["name"] = name,
            ["custom_fields_values"] = new JsonArray(new JsonObject { ["field_id"] = field["id"]!.GetValue<long>(), ["values"] = await Values(values) }),
        }));
        return (answer, name);
    }

    [Theory, Trait("api-notes", "§7.3")]
    [InlineData("checkbox", """[{"value":"yes"}]""")]
    [InlineData("checkbox", """[{"value":1}]""")]
    [InlineData("numeric", """[{"value":"many"}]""")]
    [InlineData("numeric", """[{"value":true}]""")]
    [InlineData("monetary", """[{"value":"дорого"}]""")]
    [InlineData("date", """[{"value":"garbage"}]""")]
    [InlineData("date", """[{"value":"01.02.2026"}]""")]
    [InlineData("date_time", """[{"value":"tomorrow"}]""")]
    [InlineData("birthday", """[{"value":{"day":1}}]""")]
    [InlineData("url", """[{"value":"not a url"}]""")]
    [InlineData("url", """[{"value":"ftp://files.example/x"}]""")]
    [InlineData("legal_entity", """[{"value":{"vat_id":"7701234567"}}]""")]
    [InlineData("legal_entity", """[{"value":"ООО Ромашка"}]""")]
    [InlineData("chained_list", """[{"catalog_id":$catalog,"catalog_element_id":1}]""")]
    [InlineData("chained_list", """[{"catalog_id":1,"catalog_element_id":$element}]""")]
    [InlineData("file", """[{"value":{"file_name":"dogovor.pdf"}}]""")]
    [InlineData("file", """[{"value":"dogovor.pdf"}]""")]
    [InlineData("select", """[{"value":"Новый"},{"value":"Постоянный"}]""")]
    [InlineData("select", """[{"value":"Такого нет"}]""")]
    [InlineData("radiobutton", """[{"value":"Звонок"},{"value":"Почта"}]""")]
    [InlineData("multiselect", """[{"value":"Оборудование"},{"enum_id":1}]""")]
    [InlineData("smart_address", """[{"value":"Москва","enum_code":"planet"}]""")]
    [InlineData("text", """[{"value":{"nested":true}}]""")]
    [InlineData("text", """[]""")]
    public async Task A_value_of_the_wrong_shape_for_its_field_type_is_refused(string type, string values)
    {
        var (answer, name) = await Write(type, values);

        var errors = Problem.ValidationErrors(answer, "0");
        Assert.All(errors, e => Assert.StartsWith("custom_fields_values.0", e["path"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(204, (await _amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString(name))).Code);
    }

    [Theory, Trait("api-notes", "§7.3")]
    [InlineData("text", """[{"value":"Перезвонить в пятницу"}]""")]
    [InlineData("numeric", """[{"value":"1.5"}]""")]
    [InlineData("numeric", """[{"value":42}]""")]
    [InlineData("checkbox", """[{"value":true}]""")]
    [InlineData("select", """[{"value":"Постоянный"}]""")]
    [InlineData("multiselect", """[{"value":"Оборудование"},{"value":"Сервис"}]""")]
    [InlineData("date", """[{"value":1767225600}]""")]
    [InlineData("date", """[{"value":"2026-01-01T00:00:00+03:00"}]""")]
    [InlineData("url", """[{"value":"https://docs.example/offer/1"}]""")]
    [InlineData("date_time", """[{"value":1767265200}]""")]
    [InlineData("textarea", """[{"value":"Строка 1\nСтрока 2"}]""")]
    [InlineData("radiobutton", """[{"value":"Почта"}]""")]
    [InlineData("streetaddress", """[{"value":"Москва, Тверская ул., 1"}]""")]
    [InlineData("smart_address", """[{"value":"Москва","enum_code":"city"},{"value":"125009","enum_code":"zip"}]""")]
    [InlineData("birthday", """[{"value":"1980-05-17T00:00:00+00:00"}]""")]
    [InlineData("legal_entity", """[{"value":{"name":"ООО «Тест»","entity_type":1,"vat_id":"7701234567"}}]""")]
    [InlineData("tracking_data", """[{"value":"yandex"}]""")]
    [InlineData("chained_list", """[{"catalog_id":$catalog,"catalog_element_id":$element}]""")]
    [InlineData("monetary", """[{"value":"1250.50"}]""")]
    [InlineData("file", """[{"value":{"file_uuid":"$uuid","version_uuid":"$uuid","file_name":"dogovor.pdf","file_size":2048}}]""")]
    public async Task A_value_of_the_right_shape_is_stored(string type, string values)
    {
        var (answer, _) = await Write(type, values);

        Assert.True(answer.Code == 200, answer.ToString());
        var id = answer.Embedded("leads")[0]!["id"]!.GetValue<long>();
        var lead = (await _amo.Get($"api/v4/leads/{id}")).Object;
        var stored = Assert.Single(lead["custom_fields_values"]!.AsArray());
        Assert.Equal(type, stored!["field_type"]!.GetValue<string>());
        Assert.Equal((await Values(values)).Count, stored["values"]!.AsArray().Count);
    }
}
