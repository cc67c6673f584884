using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.Tests.Support;

namespace DealCopy.AmoClient.Tests.Sandbox;

/// <summary>Every read endpoint against the sandbox's demo account (docs/SANDBOX.md "The demo account").</summary>
public sealed class ReadEndpointTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private SandboxHarness H => fixture.Harness;

    [Fact]
    public async Task Account_is_the_demo_account_with_groups_and_task_types()
    {
        var account = await H.Api.Account.GetAsync(AccountWith.UsersGroups | AccountWith.TaskTypes | AccountWith.DatetimeSettings);

        Assert.Equal(H.AccountId, account.Id);
        Assert.Equal("dealcopy-demo", account.Subdomain);
        Assert.Equal("RUB", account.Currency);
        Assert.NotNull(account.Embedded?.TaskTypes);
    }

    [Fact]
    public async Task Users_are_listed_with_rights_and_the_inactive_one_cannot_be_responsible()
    {
        var users = await H.Api.Account.GetUsersAsync();

        Assert.Equal(8, users.Count); // docs/SANDBOX.md "The demo account": admin, four managers (one own-deals only), a trainee, inactive, free
        Assert.True(users.Single(u => u.Id == 5000001).Rights!.IsAdmin);
        Assert.False(users.Single(u => u.Id == 5000005).CanBeResponsible);
        Assert.False(users.Single(u => u.Id == 5000006).CanBeResponsible);
        Assert.Equal("Борис Продажин", (await H.Api.Account.GetUserAsync(5000002))!.Name);
    }

    [Fact]
    public async Task Pipelines_come_with_unsorted_won_and_lost_stages_and_an_unknown_one_is_not_found()
    {
        var pipelines = await H.Api.Account.GetPipelinesAsync();

        Assert.Equal(4, pipelines.Count);
        Assert.Single(pipelines, p => p.IsMain == true);
        Assert.All(pipelines, p =>
        {
            Assert.Contains(p.Statuses, s => s.IsUnsorted);
            Assert.Contains(p.Statuses, s => s.Id == PipelineStatus.WonStatusId);
            Assert.Contains(p.Statuses, s => s.Id == PipelineStatus.LostStatusId);
        });
        var one = await H.Api.Account.GetPipelineAsync(pipelines[1].Id);
        Assert.Equal(pipelines[1].Name, one!.Name);
        var e = await Assert.ThrowsAsync<AmoNotFoundException>(() => H.Api.Account.GetPipelineAsync(999_999_999));
        Assert.Contains("Pipeline not found", e.Message);
    }

    [Fact]
    public async Task Loss_reasons_are_listed()
    {
        var reasons = await H.Api.Leads.GetLossReasonsAsync();

        Assert.Equal(["Выбрали конкурента", "Дорого", "Нет бюджета"], reasons.Select(r => r.Name!).Order());
    }

    [Fact]
    public async Task Lead_custom_fields_are_followed_across_pages_and_cover_every_lead_field_type()
    {
        var fields = await H.Api.CustomFields.GetAsync("leads");

        Assert.True(fields.Count > 50, $"only {fields.Count} fields: the second page was not followed");
        Assert.Equal(fields.Count, fields.Select(f => f.Id).Distinct().Count());
        foreach (var type in CustomFieldTypes.OnLeads)
        {
            Assert.Contains(fields, f => f.Type == type);
        }
        Assert.Contains(fields, f => f.IsComputed == true);
    }

    [Fact]
    public async Task Products_catalog_and_its_elements_are_read_whole_by_ids_and_one_by_one()
    {
        var catalogs = await H.Api.Catalogs.GetAsync();
        var products = catalogs.Single(c => c.Type == "products");

        var elements = await H.Api.Catalogs.GetElementsAsync(products.Id);
        Assert.Equal(30, elements.Count);
        var some = await H.Api.Catalogs.GetElementsByIdsAsync(products.Id, elements.Take(3).Select(e => e.Id));
        Assert.Equal(elements.Take(3).Select(e => e.Id).Order(), some.Select(e => e.Id).Order());
        var one = await H.Api.Catalogs.GetElementAsync(products.Id, elements[0].Id);
        Assert.Equal(elements[0].Name, one!.Name);
        var fields = await H.Api.CustomFields.GetForCatalogAsync(products.Id);
        Assert.Contains(fields, f => f.Code == "SKU");
        Assert.Contains(fields, f => f.Type == CustomFieldTypes.Price);
    }

    [Fact]
    public async Task Leads_by_many_ids_are_read_in_chunks_of_250_and_missing_ids_are_just_absent()
    {
        var all = await H.Api.Leads.ListAllAsync(new LeadFilter());
        Assert.True(all.Count > 250, $"the demo account has {all.Count} leads");
        await H.Control.ClearRequestsAsync();

        var ids = all.Select(l => l.Id).Append(987_654_321).ToList();
        var leads = await H.Api.Leads.GetByIdsAsync(ids, LeadWith.Contacts);

        Assert.Equal(all.Select(l => l.Id).Order(), leads.Select(l => l.Id).Order());
        var requests = await H.Control.RequestsAsync("GET", "/api/v4/leads");
        var expectedRequests = H.Api.Leads.ChunkCount(ids);
        Assert.Equal(expectedRequests, requests.Count);
        Assert.True(expectedRequests < ids.Count / 100, "ids must be read in large chunks, not one by one");
        Assert.Contains(leads, l => l.Contacts.Any(c => c.IsMain == true));
    }

    [Fact]
    public async Task Listing_leads_follows_next_pages_and_respects_the_filter()
    {
        var pipelines = await H.Api.Account.GetPipelinesAsync();
        var main = pipelines.Single(p => p.IsMain == true);

        var inMain = await H.Api.Leads.ListAllAsync(new LeadFilter { PipelineIds = [main.Id], Limit = 20, OrderBy = "id" });

        Assert.True(inMain.Count > 20, "a second page was expected");
        Assert.All(inMain, l => Assert.Equal(main.Id, l.PipelineId));
        Assert.Equal(inMain.Select(l => l.Id).Order(), inMain.Select(l => l.Id));
        var won = await H.Api.Leads.ListAllAsync(new LeadFilter { Statuses = [(main.Id, PipelineStatus.WonStatusId)] });
        Assert.All(won, l => Assert.Equal(PipelineStatus.WonStatusId, l.StatusId));
    }

    [Fact]
    public async Task Nothing_found_is_an_empty_list_or_null_never_an_error()
    {
        Assert.Null(await H.Api.Leads.GetAsync(987_654_321));
        Assert.Empty(await H.Api.Leads.ListAllAsync(new LeadFilter { Name = "no lead has this name 1f0c" }));
        Assert.Empty(await H.Api.Leads.GetByIdsAsync([987_654_321]));
        Assert.Null(await H.Api.Contacts.GetAsync(987_654_321));
        Assert.Null(await H.Api.Companies.GetAsync(987_654_321));
        Assert.Empty(await H.Api.Notes.GetForLeadsAsync([987_654_321]));
        Assert.Empty(await H.Api.Tasks.GetForLeadsAsync([987_654_321]));
    }

    [Fact]
    public async Task A_lead_is_read_with_contacts_products_and_loss_reason()
    {
        var all = await H.Api.Leads.ListAllAsync(new LeadFilter { With = LeadWith.ForCopy });
        var withProducts = all.First(l => l.Embedded?.CatalogElements is { Count: > 0 });

        var lead = await H.Api.Leads.GetAsync(withProducts.Id, LeadWith.ForCopy);

        Assert.NotNull(lead);
        Assert.Equal(withProducts.Name, lead.Name);
        Assert.All(lead.Embedded!.CatalogElements!, e => Assert.NotNull(e.Metadata?.CatalogId));
        var lost = all.FirstOrDefault(l => l.StatusId == PipelineStatus.LostStatusId && l.LossReasonId is not null);
        if (lost is not null)
        {
            Assert.NotEmpty((await H.Api.Leads.GetAsync(lost.Id, LeadWith.LossReason))!.Embedded!.LossReason!);
        }
    }

    [Fact]
    public async Task Links_of_one_lead_and_of_many_leads_agree()
    {
        var all = await H.Api.Leads.ListAllAsync(new LeadFilter { With = LeadWith.Contacts });
        var lead = all.First(l => l.Contacts.Count > 1);

        var own = await H.Api.Links.GetForLeadAsync(lead.Id);
        var bulk = await H.Api.Links.GetForLeadsAsync(all.Select(l => l.Id));

        Assert.Single(own, l => l.ToEntityType == LinkTypes.Contacts && l.Metadata?.MainContact == true);
        Assert.Equal(
            own.Select(l => (l.ToEntityType, l.ToEntityId)).Order(),
            bulk.Where(l => l.EntityId == lead.Id).Select(l => (l.ToEntityType, l.ToEntityId)).Order());
    }

    [Fact]
    public async Task Notes_and_tasks_of_many_leads_are_read_in_one_go()
    {
        var ids = (await H.Api.Leads.ListAllAsync(new LeadFilter())).Select(l => l.Id).ToList();

        var notes = await H.Api.Notes.GetForLeadsAsync(ids);
        var commonOnly = await H.Api.Notes.GetForLeadsAsync(ids, [NoteTypes.Common]);
        var tasks = await H.Api.Tasks.GetForLeadsAsync(ids);
        var open = await H.Api.Tasks.GetForLeadsAsync(ids, isCompleted: false);

        Assert.NotEmpty(notes);
        Assert.Contains(notes, n => !n.IsCreatable);
        Assert.NotEmpty(commonOnly);
        Assert.All(commonOnly, n => Assert.Equal(NoteTypes.Common, n.NoteType));
        Assert.Contains(tasks, t => t.IsCompleted == true);
        Assert.NotEmpty(open);
        Assert.All(open, t => Assert.False(t.IsCompleted));
        Assert.All(tasks, t => Assert.Contains(t.EntityId!.Value, ids));
    }

    [Fact]
    public async Task Contacts_and_companies_of_leads_are_read_by_ids()
    {
        var leads = await H.Api.Leads.ListAllAsync(new LeadFilter { With = LeadWith.Contacts });
        var contactIds = leads.SelectMany(l => l.Contacts).Select(c => c.Id).Distinct().ToList();
        var companyIds = leads.SelectMany(l => l.Embedded?.Companies ?? []).Select(c => c.Id).Distinct().ToList();

        var contacts = await H.Api.Contacts.GetByIdsAsync(contactIds);
        var companies = await H.Api.Companies.GetByIdsAsync(companyIds);

        Assert.Equal(contactIds.Order(), contacts.Select(c => c.Id).Order());
        Assert.Equal(companyIds.Order(), companies.Select(c => c.Id).Order());
        Assert.NotNull((await H.Api.Contacts.GetAsync(contactIds[0], withLeads: true))!.Embedded?.Leads);
        Assert.NotNull(await H.Api.Companies.GetAsync(companyIds[0]));
    }

    [Fact]
    public async Task Tag_dictionary_is_listed()
    {
        var tags = await H.Api.Tags.GetAsync();

        Assert.NotEmpty(tags);
        Assert.All(tags, t => Assert.False(string.IsNullOrEmpty(t.Name)));
    }
}
