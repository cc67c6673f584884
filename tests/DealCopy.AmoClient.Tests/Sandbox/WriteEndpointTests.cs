using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.Tests.Support;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Tests.Sandbox;

/// <summary>Every write endpoint, checked by reading the result back from the sandbox.</summary>
public sealed class WriteEndpointTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private SandboxHarness H => fixture.Harness;

    private async Task<(Pipeline Pipeline, PipelineStatus Stage)> FirstRegularStageAsync()
    {
        var main = (await H.Api.Account.GetPipelinesAsync()).Single(p => p.IsMain == true);
        return (main, main.Statuses.Where(s => !s.IsUnsorted && s.Id is not PipelineStatus.WonStatusId and not PipelineStatus.LostStatusId).OrderBy(s => s.Sort).First());
    }

    [Fact]
    public async Task Created_leads_come_back_in_request_order_with_their_request_ids_across_several_batches()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var leads = Enumerable.Range(0, 120)
            .Select(i => new LeadWrite { Name = $"Batch lead {i}", Price = i, PipelineId = pipeline.Id, StatusId = stage.Id, RequestId = $"job-{i}" })
            .ToList();

        var created = await H.Api.Leads.CreateAsync(leads);

        Assert.Equal(leads.Select(l => l.RequestId), created.Select(c => c.RequestId));
        var readBack = (await H.Api.Leads.GetByIdsAsync(created.Select(c => c.Id))).ToDictionary(l => l.Id);
        for (var i = 0; i < leads.Count; i++)
        {
            Assert.Equal($"Batch lead {i}", readBack[created[i].Id].Name);
        }
    }

    [Fact]
    public async Task Leads_without_request_ids_get_their_index()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();

        var created = await H.Api.Leads.CreateAsync([
            new LeadWrite { Name = "first", PipelineId = pipeline.Id, StatusId = stage.Id },
            new LeadWrite { Name = "second", PipelineId = pipeline.Id, StatusId = stage.Id },
        ]);

        Assert.Equal(["0", "1"], created.Select(c => c.RequestId));
        Assert.Equal("second", (await H.Api.Leads.GetAsync(created[1].Id))!.Name);
    }

    [Fact]
    public async Task Lead_is_created_with_contacts_company_and_tags_then_updated()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var source = (await H.Api.Leads.ListAllAsync(new LeadFilter { With = LeadWith.Contacts }))
            .First(l => l.Contacts.Count > 1 && l.Embedded?.Companies is { Count: 1 });

        var created = await H.Api.Leads.CreateAsync([new LeadWrite
        {
            Name = "With parties",
            PipelineId = pipeline.Id,
            StatusId = stage.Id,
            TagsToAdd = [TagRef.ByName("client-test")],
            Embedded = new LeadWriteEmbedded
            {
                Contacts = source.Contacts.Select(c => new LeadContactWrite { Id = c.Id, IsMain = c.IsMain }).ToList(),
                Companies = [new EntityRef { Id = source.Embedded!.Companies![0].Id }],
            },
        }]);
        var id = created[0].Id;
        await H.Api.Leads.UpdateAsync([new LeadWrite { Id = id, Name = "Renamed", Price = 1234, TagsToAdd = [TagRef.ByName("second")] }]);

        var lead = await H.Api.Leads.GetAsync(id, LeadWith.Contacts);
        Assert.Equal("Renamed", lead!.Name);
        Assert.Equal(1234m, lead.Price);
        Assert.Equal(["client-test", "second"], lead.Tags.Select(t => t.Name!).Order());
        Assert.Equal(source.Contacts.Single(c => c.IsMain == true).Id, lead.Contacts.Single(c => c.IsMain == true).Id);
        Assert.Equal(source.Contacts.Select(c => c.Id).Order(), lead.Contacts.Select(c => c.Id).Order());
    }

    [Fact]
    public async Task Links_are_copied_to_another_lead_in_bulk_and_removed_again()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var all = await H.Api.Leads.ListAllAsync(new LeadFilter { With = LeadWith.Contacts | LeadWith.CatalogElements });
        var source = all.First(l => l.Contacts.Count > 0 && l.Embedded?.CatalogElements is { Count: > 0 });
        var target = (await H.Api.Leads.CreateAsync([new LeadWrite { Name = "link target", PipelineId = pipeline.Id, StatusId = stage.Id }]))[0].Id;

        var sourceLinks = await H.Api.Links.GetForLeadAsync(source.Id);
        await H.Api.Links.LinkAsync(sourceLinks.Select(l => l.ToWrite(target)).ToList());

        var copied = await H.Api.Links.GetForLeadAsync(target);
        Assert.Equal(sourceLinks.Select(l => (l.ToEntityType, l.ToEntityId)).Order(), copied.Select(l => (l.ToEntityType, l.ToEntityId)).Order());
        Assert.Equal(
            sourceLinks.Single(l => l.Metadata?.MainContact == true).ToEntityId,
            copied.Single(l => l.Metadata?.MainContact == true).ToEntityId);
        var product = sourceLinks.First(l => l.ToEntityType == LinkTypes.CatalogElements);
        var copiedProduct = copied.Single(l => l.ToEntityType == LinkTypes.CatalogElements && l.ToEntityId == product.ToEntityId);
        Assert.Equal(product.Metadata!.Quantity, copiedProduct.Metadata!.Quantity);
        Assert.Equal(product.Metadata.PriceId, copiedProduct.Metadata.PriceId);

        await H.Api.Links.UnlinkAsync(copied.Where(l => l.ToEntityType != LinkTypes.CatalogElements).Select(l => l.ToWrite(target)).ToList());
        Assert.All(await H.Api.Links.GetForLeadAsync(target), l => Assert.Equal(LinkTypes.CatalogElements, l.ToEntityType));
    }

    [Fact]
    public async Task Notes_are_created_for_many_leads_without_triggering_the_digital_pipeline()
    {
        var ids = (await H.Api.Leads.ListAllAsync(new LeadFilter { Limit = 5 })).Take(3).Select(l => l.Id).ToList();

        var created = await H.Api.Notes.CreateAsync(ids.Select(id => NoteWrite.ServiceMessage(id, "DealCopy", $"copied from {id}")).ToList());

        Assert.Equal(ids, created.Select(c => c.EntityId!.Value));
        var notes = await H.Api.Notes.GetForLeadsAsync(ids, [NoteTypes.ServiceMessage]);
        Assert.All(created, c => Assert.Contains(notes, n => n.Id == c.Id && ((string?)n.Params?["text"])!.StartsWith("copied from", StringComparison.Ordinal)));
        var dump = await H.Control.DumpAsync(H.AccountId);
        var stored = dump.SelectTokens("$..notes[*]").OfType<JObject>().Where(n => created.Any(c => c.Id == (long?)n["id"])).ToList();
        Assert.Equal(3, stored.Count);
        Assert.All(stored, n => Assert.False((bool?)n["is_need_to_trigger_digital_pipeline"]));
    }

    [Fact]
    public async Task A_system_note_type_is_refused_before_any_request()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => H.Api.Notes.CreateAsync([new NoteWrite { EntityId = 1, NoteType = "lead_status_changed" }]));
    }

    [Fact]
    public async Task Tasks_are_created_for_leads_and_read_back()
    {
        var ids = (await H.Api.Leads.ListAllAsync(new LeadFilter { Limit = 5 })).Take(2).Select(l => l.Id).ToList();
        var till = DateTimeOffset.UtcNow.AddDays(3).ToUnixTimeSeconds();

        var created = await H.Api.Tasks.CreateAsync(ids.Select(id => new TaskWrite
        {
            Text = $"Call back {id}", CompleteTill = till, EntityId = id, EntityType = "leads", TaskTypeId = 1, ResponsibleUserId = 5000002,
        }).ToList());

        var tasks = await H.Api.Tasks.GetForLeadsAsync(ids, isCompleted: false);
        Assert.All(created, c => Assert.Contains(tasks, t => t.Id == c.Id && t.CompleteTill == till && t.ResponsibleUserId == 5000002));
    }

    [Fact]
    public async Task Contacts_companies_catalog_elements_tags_and_a_marker_field_are_created()
    {
        var contacts = await H.Api.Contacts.CreateAsync([new ContactWrite { Name = "Пётр Копиров", FirstName = "Пётр", LastName = "Копиров" }]);
        var companies = await H.Api.Companies.CreateAsync([new CompanyWrite { Name = "ООО Копия" }]);
        var products = (await H.Api.Catalogs.GetAsync()).Single(c => c.Type == "products");
        var elements = await H.Api.Catalogs.CreateElementsAsync(products.Id, [new CatalogElementWrite { Name = "Новый товар" }]);
        var tags = await H.Api.Tags.CreateAsync([new TagWrite { Name = "from-client-test" }]);
        var fields = await H.Api.CustomFields.CreateAsync([new CustomFieldWrite { Name = "DealCopy source", Type = CustomFieldTypes.Text, IsApiOnly = true, Code = "DEALCOPY_SOURCE" }]);

        Assert.Equal("Пётр Копиров", (await H.Api.Contacts.GetAsync(contacts[0].Id))!.Name);
        Assert.Equal("ООО Копия", (await H.Api.Companies.GetAsync(companies[0].Id))!.Name);
        Assert.Equal("Новый товар", (await H.Api.Catalogs.GetElementAsync(products.Id, elements[0].Id))!.Name);
        Assert.Contains(await H.Api.Tags.GetAsync(), t => t.Id == tags[0].Id && t.Name == "from-client-test");
        var marker = Assert.Single(fields);
        Assert.True(marker.Id > 0);
        Assert.Contains(await H.Api.CustomFields.GetAsync(), f => f.Id == marker.Id && f.IsApiOnly == true);
    }

    [Fact]
    public async Task Validation_errors_name_the_refused_lead_and_nothing_is_written()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var unsorted = pipeline.Statuses.Single(s => s.IsUnsorted);
        var before = (await H.Api.Leads.ListAllAsync(new LeadFilter { Name = "validation probe" })).Count;

        var e = await Assert.ThrowsAsync<AmoValidationException>(() => H.Api.Leads.CreateAsync([
            new LeadWrite { Name = "validation probe", PipelineId = pipeline.Id, StatusId = stage.Id, RequestId = "good" },
            new LeadWrite { Name = "validation probe", PipelineId = pipeline.Id, StatusId = unsorted.Id, RequestId = "into-unsorted" },
        ]));

        Assert.Empty(e.ErrorsFor("good"));
        var error = Assert.Single(e.ErrorsFor("into-unsorted"));
        Assert.Equal("status_id", error.Path);
        Assert.Equal("NotSupportedChoice", error.Code);
        Assert.Equal(before, (await H.Api.Leads.ListAllAsync(new LeadFilter { Name = "validation probe" })).Count);
    }

    [Fact]
    public async Task Loss_reason_on_an_open_lead_is_refused_in_amoCRMs_second_error_shape_naming_the_lead()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var id = (await H.Api.Leads.CreateAsync([new LeadWrite { Name = "open", PipelineId = pipeline.Id, StatusId = stage.Id }]))[0].Id;
        var reason = (await H.Api.Leads.GetLossReasonsAsync())[0];

        var e = await Assert.ThrowsAsync<AmoValidationException>(() => H.Api.Leads.UpdateAsync([new LeadWrite { Id = id, LossReasonId = reason.Id }]));

        var error = Assert.Single(e.Errors);
        Assert.Equal(id, error.EntityId);
        Assert.Contains("lost", error.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Later_batch_refused_reports_what_earlier_batches_wrote()
    {
        var (pipeline, stage) = await FirstRegularStageAsync();
        var leads = Enumerable.Range(0, 51).Select(i => new LeadWrite { Name = $"chunked {i}", PipelineId = pipeline.Id, StatusId = stage.Id }).ToList();
        leads[50].ResponsibleUserId = 123; // no such user: the second batch (of 1) is refused

        var e = await Assert.ThrowsAsync<AmoValidationException>(() => H.Api.Leads.CreateAsync(leads));

        Assert.Equal(50, e.WrittenBeforeFailure.Count);
        Assert.NotEmpty(e.ErrorsFor("50"));
    }
}
