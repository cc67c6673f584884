using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.OAuth;
using DealCopy.AmoClient.Tests.Support;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Tests.Dtos;

/// <summary>Every documentation example that maps to a DTO is read, and written back without losing a value.</summary>
public sealed class ExamplePayloadTests
{
    // (example, embedded key or null for a single object, DTO type)
    public static TheoryData<string, string?, Type> Responses => new()
    {
        { "leads-api-01", "leads", typeof(Lead) },
        { "leads-api-03", "leads", typeof(WrittenEntity) },
        { "leads-api-07", "leads", typeof(WrittenEntity) },
        { "contacts-api-01", "contacts", typeof(Contact) },
        { "contacts-api-02", null, typeof(Contact) },
        { "contacts-api-04", "contacts", typeof(WrittenEntity) },
        { "contacts-api-06", "contacts", typeof(WrittenEntity) },
        { "companies-api-01", "companies", typeof(Company) },
        { "companies-api-02", null, typeof(Company) },
        { "companies-api-04", "companies", typeof(WrittenEntity) },
        { "companies-api-06", "companies", typeof(WrittenEntity) },
        { "entity-links-api-01", "links", typeof(EntityLink) },
        { "entity-links-api-03", "links", typeof(EntityLink) },
        { "entity-links-api-06", "links", typeof(EntityLink) },
        { "custom-fields-01", "custom_fields", typeof(CustomField) },
        { "custom-fields-02", null, typeof(CustomField) },
        { "custom-fields-05", "custom_fields", typeof(CustomField) },
        { "leads_pipelines-01", "pipelines", typeof(Pipeline) },
        { "leads_pipelines-02", null, typeof(Pipeline) },
        { "leads_pipelines-04", "pipelines", typeof(Pipeline) },
        { "leads_pipelines-06", null, typeof(Pipeline) },
        { "leads_pipelines-07", "statuses", typeof(PipelineStatus) },
        { "leads_pipelines-08", null, typeof(PipelineStatus) },
        { "leads_pipelines-10", "statuses", typeof(PipelineStatus) },
        { "leads_pipelines-12", null, typeof(PipelineStatus) },
        { "events-and-notes-15", "notes", typeof(Note) },
        { "events-and-notes-16", "notes", typeof(Note) },
        { "events-and-notes-17", null, typeof(Note) },
        { "events-and-notes-20", "notes", typeof(WrittenEntity) },
        { "events-and-notes-22", "notes", typeof(WrittenEntity) },
        { "tasks-api-01", "tasks", typeof(AmoTask) },
        { "tasks-api-02", null, typeof(AmoTask) },
        { "tasks-api-04", "tasks", typeof(WrittenEntity) },
        { "tasks-api-06", "tasks", typeof(WrittenEntity) },
        { "tasks-api-08", null, typeof(WrittenEntity) },
        { "catalogs-api-01", "catalogs", typeof(Catalog) },
        { "catalogs-api-02", null, typeof(Catalog) },
        { "catalogs-api-04", "catalogs", typeof(Catalog) },
        { "catalogs-api-06", null, typeof(Catalog) },
        { "catalogs-api-07", "elements", typeof(CatalogElement) },
        { "catalogs-api-08", null, typeof(CatalogElement) },
        { "catalogs-api-10", "elements", typeof(CatalogElement) },
        { "catalogs-api-12", "elements", typeof(CatalogElement) },
        { "users-api-01", "users", typeof(User) },
        { "users-api-02", null, typeof(User) },
        { "users-api-04", "users", typeof(User) },
        { "tags-api-01", "tags", typeof(Tag) },
        { "tags-api-03", "tags", typeof(Tag) },
        { "tags-api-05", "leads", typeof(WrittenEntity) },
        { "tags-api-07", null, typeof(WrittenEntity) },
        { "step-by-step-02", null, typeof(AmoTokenResponse) },
        { "step-by-step-04", null, typeof(AmoTokenResponse) },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Documented_response_is_read_and_written_back_without_losing_a_value(string example, string? embeddedKey, Type dtoType)
    {
        var json = Examples.Json(example);
        var items = embeddedKey is null ? [json] : ((JArray)json["_embedded"]![embeddedKey]!).ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            var dto = item.ToObject(dtoType, AmoJson.Serializer);
            Assert.NotNull(dto);
            Examples.AssertPreserved(item, AmoJson.ToToken(dto));
        }
    }

    public static TheoryData<string, Type> Requests => new()
    {
        { "leads-api-02", typeof(LeadWrite) },
        { "leads-api-06", typeof(LeadWrite) },
        { "tags-api-04", typeof(LeadWrite) },
        { "tags-api-06", typeof(LeadWrite) },
        { "contacts-api-05", typeof(ContactWrite) },
        { "tasks-api-07", typeof(TaskWrite) },
        { "contacts-api-03", typeof(ContactWrite) },
        { "companies-api-03", typeof(CompanyWrite) },
        { "companies-api-05", typeof(CompanyWrite) },
        { "entity-links-api-02", typeof(LinkWrite) },
        { "entity-links-api-04", typeof(LinkWrite) },
        { "entity-links-api-05", typeof(LinkWrite) },
        { "entity-links-api-07", typeof(LinkWrite) },
        { "custom-fields-03", typeof(CustomFieldWrite) },
        { "events-and-notes-18", typeof(NoteWrite) },
        { "events-and-notes-19", typeof(NoteWrite) },
        { "tasks-api-03", typeof(TaskWrite) },
        { "tasks-api-05", typeof(TaskWrite) },
        { "catalogs-api-09", typeof(CatalogElementWrite) },
        { "tags-api-02", typeof(TagWrite) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Documented_request_can_be_expressed_with_the_write_dto(string example, Type dtoType)
    {
        var json = Examples.Json(example);
        var items = json is JArray a ? a.ToList() : [json];
        foreach (var item in items)
        {
            var dto = item.ToObject(dtoType, AmoJson.Serializer);
            Assert.NotNull(dto);
            Examples.AssertPreserved(item, AmoJson.ToToken(dto));
        }
    }

    [Fact]
    public void Lead_without_custom_field_values_reads_null_and_keeps_its_tags_and_companies_empty()
    {
        var lead = AmoJson.ToObject<Lead>(Examples.Json("leads-api-01")["_embedded"]!["leads"]![0])!;

        Assert.Equal(19619, lead.Id);
        Assert.Equal(46333m, lead.Price);
        Assert.Null(lead.CustomFieldsValues);
        Assert.Empty(lead.Tags);
        Assert.Empty(lead.Embedded!.Companies!);
        Assert.Equal(142, lead.StatusId);
    }

    [Fact]
    public void Link_read_as_main_contact_is_written_as_is_main()
    {
        var links = ((JArray)Examples.Json("entity-links-api-01")["_embedded"]!["links"]!).Select(t => AmoJson.ToObject<EntityLink>(t)!).ToList();

        var main = links.Single(l => l.Metadata?.MainContact == true);
        var write = AmoJson.ToToken(main.ToWrite(entityId: 42));

        Assert.Equal(true, (bool?)write["metadata"]!["is_main"]);
        Assert.Null(write["metadata"]!["main_contact"]);
        Assert.Equal(42, (long)write["entity_id"]!);
        var product = AmoJson.ToToken(links.Single(l => l.ToEntityType == LinkTypes.CatalogElements).ToWrite(42));
        Assert.Equal(1, (int)product["metadata"]!["quantity"]!);
        Assert.Equal(4521, (long)product["metadata"]!["catalog_id"]!);
    }

    [Fact]
    public void Task_result_is_read_both_as_an_object_and_as_amoCRMs_empty_array()
    {
        var withResult = AmoJson.ToObject<AmoTask>(Examples.Json("tasks-api-02"))!;
        var withoutResult = AmoJson.ToObject<AmoTask>(Examples.Json("tasks-api-01")["_embedded"]!["tasks"]![0])!;

        Assert.Equal("Результат есть", withResult.ResultText);
        Assert.Null(withoutResult.ResultText);
    }

    [Fact]
    public void Unknown_fields_are_kept_and_written_back()
    {
        var lead = AmoJson.Deserialize<Lead>("""{"id":1,"name":"x","brand_new_field":{"a":[1,2]},"custom_fields_values":null}""");

        Assert.NotNull(lead.Extra);
        Assert.True(JToken.DeepEquals(JToken.Parse("""{"a":[1,2]}"""), lead.Extra!["brand_new_field"]));
        Assert.Equal("""{"id":1,"name":"x","brand_new_field":{"a":[1,2]}}""", AmoJson.Serialize(lead));
    }

    [Fact]
    public void Lead_write_sends_only_what_is_set_in_snake_case_with_whole_prices_as_integers()
    {
        var json = AmoJson.Serialize(new LeadWrite
        {
            Name = "Copy",
            Price = 20000m,
            PipelineId = 7,
            StatusId = 8,
            CreatedBy = 0,
            TagsToAdd = [TagRef.ByName("copy")],
            Embedded = new LeadWriteEmbedded { Contacts = [new LeadContactWrite { Id = 5, IsMain = true }], Companies = [new EntityRef { Id = 6 }] },
            RequestId = "r1",
        });

        Assert.Equal(
            """{"name":"Copy","price":20000,"status_id":8,"pipeline_id":7,"created_by":0,"tags_to_add":[{"name":"copy"}],"_embedded":{"contacts":[{"id":5,"is_main":true}],"companies":[{"id":6}]},"request_id":"r1"}""",
            json);
    }

    [Fact]
    public void Tags_are_cleared_with_an_explicit_null_and_otherwise_left_alone()
    {
        Assert.Equal("""{"id":1,"_embedded":{"tags":null}}""", AmoJson.Serialize(new LeadWrite { Id = 1, Embedded = new() { ClearTags = true } }));
        Assert.Equal("""{"id":1,"_embedded":{}}""", AmoJson.Serialize(new LeadWrite { Id = 1, Embedded = new() }));
    }

    [Fact]
    public void Clearing_a_custom_field_sends_values_null()
    {
        var json = AmoJson.Serialize(new CustomFieldValues { FieldId = 3, Values = null });

        Assert.Equal("""{"field_id":3,"values":null}""", json);
    }

    public static TheoryData<string, string> ValueShapes => new()
    {
        { "text", """{"value":"Наш первый клиент"}""" },
        { "numeric", """{"value":"1.5"}""" },
        { "checkbox", """{"value":true}""" },
        { "date", """{"value":1577836800}""" },
        { "date_time as RFC 3339", """{"value":"2020-01-01T00:00:00+03:00"}""" },
        { "select", """{"value":"A","enum_id":17,"enum_code":null}""" },
        { "smart_address", """{"value":"Москва","enum_id":3,"enum_code":"city"}""" },
        { "legal_entity", """{"value":{"name":"ООО Ромашка","entity_type":1,"vat_id":"7701234567","kpp":"770101001"}}""" },
        { "chained_list", """{"catalog_id":1001,"catalog_element_id":12235}""" },
        { "file", """{"value":{"file_uuid":"6905db7c-3a29-4d30-8953-bac68c05e8e8","version_uuid":"4e316440","file_name":"a.jpg","file_size":1024}}""" },
        { "multitext as read", """{"value":"+79123","enum_id":1,"enum":"WORK"}""" },
    };

    [Theory]
    [MemberData(nameof(ValueShapes))]
    public void Every_custom_field_value_shape_round_trips(string type, string valueJson)
    {
        _ = type;
        var original = AmoJson.Parse(valueJson);

        var value = AmoJson.ToObject<CustomFieldValue>(original)!;
        var written = AmoJson.ToToken(value.Clone());

        Examples.AssertPreserved(original, written);
        // nothing is invented either
        Assert.Equal(((JObject)original).Properties().Count(p => p.Value.Type != JTokenType.Null), ((JObject)written).Count);
    }
}
