using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Contacts, companies and the links of a lead to them and to products (API-NOTES §5, §6, §13).</summary>
public sealed class PartiesAndLinksTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    private static async Task<List<long>> Ids(Amo amo, string kind, int count)
    {
        var answer = await amo.Get($"api/v4/{kind}?limit={count}");
        Assert.Equal(200, answer.Code);
        return answer.Embedded(kind).Select(x => x!["id"]!.GetValue<long>()).ToList();
    }

    private static async Task<List<JsonObject>> Links(Amo amo, long leadId)
    {
        var answer = await amo.Get($"api/v4/leads/{leadId}/links");
        if (answer.Code == 204) return [];
        Assert.Equal(200, answer.Code);
        return answer.Embedded("links").Select(l => l!.AsObject()).ToList();
    }

    private static async Task<(long Catalog, long Element, long PriceField, long TextField)> Products(Amo amo)
    {
        var catalog = (await amo.Get("api/v4/catalogs")).Embedded("catalogs").First(c => c!["type"]!.GetValue<string>() == "products")!["id"]!.GetValue<long>();
        var element = (await amo.Get($"api/v4/catalogs/{catalog}/elements?limit=1")).Embedded("elements")[0]!["id"]!.GetValue<long>();
        var fields = (await amo.Get($"api/v4/catalogs/{catalog}/custom_fields")).Embedded("custom_fields");
        var price = fields.First(f => f!["type"]!.GetValue<string>() == "price")!["id"]!.GetValue<long>();
        var text = fields.First(f => f!["type"]!.GetValue<string>() == "text")!["id"]!.GetValue<long>();
        return (catalog, element, price, text);
    }

    [Fact, Trait("api-notes", "§6")]
    public async Task A_contact_is_read_with_its_phone_and_email_multitext_values_and_its_leads()
    {
        var id = (await Ids(_amo, "contacts", 1))[0];

        var contact = (await _amo.Get($"api/v4/contacts/{id}?with=leads")).Object;

        var codes = contact["custom_fields_values"]!.AsArray().Select(f => f!["field_code"]?.GetValue<string>()).ToList();
        Assert.Contains("PHONE", codes);
        Assert.Contains("EMAIL", codes);
        Assert.NotNull(contact["_embedded"]!["leads"]!.AsArray());
        Assert.Equal(204, (await _amo.Get("api/v4/contacts/1")).Code);
    }

    [Fact, Trait("api-notes", "§6")]
    public async Task A_contact_and_a_company_are_created_and_read_back()
    {
        var company = await _amo.Post("api/v4/companies", new JsonArray(new JsonObject { ["name"] = "ООО «Новая»", ["request_id"] = "co" }));
        Assert.Equal(200, company.Code);
        var companyId = company.Embedded("companies")[0]!["id"]!.GetValue<long>();
        Assert.Equal("co", company.Embedded("companies")[0]!["request_id"]!.GetValue<string>());

        var contact = await _amo.Post("api/v4/contacts", new JsonArray(new JsonObject
        {
            ["first_name"] = "Пётр", ["last_name"] = "Новый",
            ["custom_fields_values"] = new JsonArray(new JsonObject
            {
                ["field_code"] = "PHONE", ["values"] = new JsonArray(new JsonObject { ["value"] = "+79160000000", ["enum_code"] = "MOB" }),
            }),
            ["_embedded"] = new JsonObject { ["companies"] = new JsonArray(new JsonObject { ["id"] = companyId }) },
        }));
        Assert.Equal(200, contact.Code);
        var contactId = contact.Embedded("contacts")[0]!["id"]!.GetValue<long>();

        var read = (await _amo.Get($"api/v4/contacts/{contactId}")).Object;
        Assert.Equal("Пётр Новый", read["name"]!.GetValue<string>());
        var phone = read["custom_fields_values"]![0]!["values"]![0]!;
        Assert.Equal("+79160000000", phone["value"]!.GetValue<string>());
        Assert.Equal("MOB", phone["enum_code"]!.GetValue<string>());
        var readCompany = (await _amo.Get($"api/v4/companies/{companyId}?with=contacts")).Object;
        Assert.Equal("ООО «Новая»", readCompany["name"]!.GetValue<string>());
        Assert.Contains(readCompany["_embedded"]!["contacts"]!.AsArray(), c => c!["id"]!.GetValue<long>() == contactId);
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task Lead_links_read_main_contact_companies_and_products_with_catalog_metadata()
    {
        var reference = (await _amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString("Эталонная сделка"))).Embedded("leads")[0]!["id"]!.GetValue<long>();

        var links = await Links(_amo, reference);

        var contacts = links.Where(l => l["to_entity_type"]!.GetValue<string>() == "contacts").ToList();
        Assert.True(contacts.Count >= 2);
        Assert.Single(contacts, c => c["metadata"]!["main_contact"]!.GetValue<bool>());
        Assert.Null(contacts[0]["metadata"]!["is_main"]);
        var company = Assert.Single(links, l => l["to_entity_type"]!.GetValue<string>() == "companies");
        Assert.Null(company["metadata"]);
        var products = links.Where(l => l["to_entity_type"]!.GetValue<string>() == "catalog_elements").ToList();
        Assert.NotEmpty(products);
        Assert.All(products, p => Assert.NotNull(p["metadata"]!["catalog_id"]));
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task Linking_a_contact_with_is_main_makes_it_the_main_contact()
    {
        var contacts = await Ids(_amo, "contacts", 2);
        var lead = await _amo.CreateLead(new JsonObject
        {
            ["name"] = "Link", ["_embedded"] = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["id"] = contacts[0], ["is_main"] = true }) },
        });

        var answer = await _amo.Post($"api/v4/leads/{lead}/link", new JsonArray(new JsonObject
        {
            ["to_entity_id"] = contacts[1], ["to_entity_type"] = "contacts", ["metadata"] = new JsonObject { ["is_main"] = true },
        }));

        Assert.Equal(200, answer.Code);
        Assert.NotEmpty(answer.Embedded("links"));
        var links = await Links(_amo, lead);
        Assert.Equal(contacts[1], links.Single(l => l["metadata"]?["main_contact"]?.GetValue<bool>() == true)["to_entity_id"]!.GetValue<long>());
        Assert.Equal(2, links.Count(l => l["to_entity_type"]!.GetValue<string>() == "contacts"));
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task Unlinking_removes_the_link()
    {
        var contacts = await Ids(_amo, "contacts", 2);
        var lead = await _amo.CreateLead(new JsonObject
        {
            ["_embedded"] = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["id"] = contacts[0], ["is_main"] = true }, new JsonObject { ["id"] = contacts[1] }) },
        });

        var answer = await _amo.Post($"api/v4/leads/{lead}/unlink", new JsonArray(new JsonObject { ["to_entity_id"] = contacts[0], ["to_entity_type"] = "contacts" }));

        Assert.Equal(204, answer.Code);
        var remaining = Assert.Single(await Links(_amo, lead));
        Assert.Equal(contacts[1], remaining["to_entity_id"]!.GetValue<long>());
        Assert.True(remaining["metadata"]!["main_contact"]!.GetValue<bool>());
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task Bulk_link_and_bulk_links_read_work_over_several_leads()
    {
        var company = (await Ids(_amo, "companies", 1))[0];
        var contact = (await Ids(_amo, "contacts", 1))[0];
        var a = await _amo.CreateLead(new JsonObject { ["name"] = "Bulk A" });
        var b = await _amo.CreateLead(new JsonObject { ["name"] = "Bulk B" });

        var linked = await _amo.Post("api/v4/leads/link", new JsonArray(
            new JsonObject { ["entity_id"] = a, ["to_entity_id"] = company, ["to_entity_type"] = "companies" },
            new JsonObject { ["entity_id"] = b, ["to_entity_id"] = contact, ["to_entity_type"] = "contacts", ["metadata"] = new JsonObject { ["is_main"] = true } }));
        Assert.Equal(200, linked.Code);

        var answer = await _amo.Get($"api/v4/leads/links?filter[entity_id][]={a}&filter[entity_id][]={b}");

        var links = answer.Embedded("links");
        Assert.Equal(2, links.Count);
        Assert.Contains(links, l => l!["entity_id"]!.GetValue<long>() == a && l["to_entity_id"]!.GetValue<long>() == company);
        Assert.Contains(links, l => l!["entity_id"]!.GetValue<long>() == b && l["to_entity_id"]!.GetValue<long>() == contact);

        Assert.Equal(204, (await _amo.Post("api/v4/leads/unlink", new JsonArray(new JsonObject { ["entity_id"] = a, ["to_entity_id"] = company, ["to_entity_type"] = "companies" }))).Code);
        Assert.Single((await _amo.Get($"api/v4/leads/links?filter[entity_id][]={a}&filter[entity_id][]={b}")).Embedded("links"));
    }

    [Fact, Trait("api-notes", "§5")]
    public async Task Bulk_links_read_without_the_entity_filter_is_400()
    {
        Problem.Assert(await _amo.Get("api/v4/leads/links"), 400);
    }

    [Fact, Trait("api-notes", "§13")]
    public async Task A_product_is_linked_with_quantity_and_the_price_id_of_a_price_field()
    {
        var (catalog, element, price, _) = await Products(_amo);
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Products" });

        var answer = await _amo.Post($"api/v4/leads/{lead}/link", new JsonArray(new JsonObject
        {
            ["to_entity_id"] = element, ["to_entity_type"] = "catalog_elements",
            ["metadata"] = new JsonObject { ["catalog_id"] = catalog, ["quantity"] = 2.5, ["price_id"] = price },
        }));

        Assert.Equal(200, answer.Code);
        var read = (await _amo.Get($"api/v4/leads/{lead}?with=catalog_elements")).Object;
        var product = Assert.Single(read["_embedded"]!["catalog_elements"]!.AsArray());
        Assert.Equal(element, product!["id"]!.GetValue<long>());
        Assert.Equal(2.5m, product["metadata"]!["quantity"]!.GetValue<decimal>());
        Assert.Equal(catalog, product["metadata"]!["catalog_id"]!.GetValue<long>());
        Assert.Equal(price, product["metadata"]!["price_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§13")]
    public async Task A_price_id_that_is_not_a_price_field_of_the_catalog_is_refused()
    {
        var (catalog, element, _, text) = await Products(_amo);
        var lead = await _amo.CreateLead(new JsonObject { ["name"] = "Products" });

        foreach (var wrong in new[] { text, 1L })
        {
            var answer = await _amo.Post($"api/v4/leads/{lead}/link", new JsonArray(new JsonObject
            {
                ["to_entity_id"] = element, ["to_entity_type"] = "catalog_elements",
                ["metadata"] = new JsonObject { ["catalog_id"] = catalog, ["quantity"] = 1, ["price_id"] = wrong },
            }));
            Assert.Equal("metadata.price_id", Problem.ValidationErrors(answer, "0")[0]["path"]!.GetValue<string>());
        }
        Assert.Empty(await Links(_amo, lead));
    }
}
