using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>The dry run: what each copy would be, as the job plans it, and what the job would cost in amoCRM requests.</summary>
public sealed class CopyPreviewTests
{
    private static List<Lead> Deals(int count) => Enumerable.Range(0, count).Select(i => Source(l => { l.Id = 10_000 + i; l.Name = $"Сделка {i}"; })).ToList();

    private static CopyJobSpec Spec(IEnumerable<Lead> sources, CopyOptions? options = null) =>
        new(sources.Select(l => l.Id).ToList(), options ?? Options(), Requester, null);

    private static CopyPreviewView Preview(IReadOnlyList<Lead> sources, CopyOptions? options = null, IReadOnlyList<Note>? notes = null, IReadOnlyList<AmoTask>? tasks = null) =>
        CopyPreview.Of(Spec(sources, options), Metadata(), sources, notes, tasks, CopyBudget.Default, Now);

    [Fact]
    public void A_deal_shows_its_copy_name_stage_responsible_content_and_every_skipped_field_with_its_code()
    {
        var preview = Preview([Source()], Options(OtherPipeline, template: "{name} — копия {n}"));

        var deal = Assert.Single(preview.Items);
        var copy = Assert.Single(deal.Copies);
        Assert.Equal(new PreviewCopyView(1, "Поставка — копия 1", OtherPipeline, OtherFirst, Boris), copy);
        Assert.Equal(1500m, deal.Price);
        Assert.Equal([new PreviewContactView(501, false), new PreviewContactView(502, true), new PreviewContactView(503, false)], deal.Contacts);
        Assert.Equal(300, deal.CompanyId);
        Assert.Equal([new PreviewProductView(601, 77, 3m), new PreviewProductView(602, 77, 1m)], deal.Products);
        Assert.Equal(["vip", "опт"], deal.Tags);
        // 14 values on the source: the marker is DealCopy's own (written anew), the computed, the category (not writable on deals) and the deleted field are left out
        Assert.Equal([(ComputedField, "field.computed"), (CategoryField, "field.type_not_writable"), (DeletedField, "field.gone")], deal.SkippedFields.Select(s => (s.FieldId, s.Code)).ToList());
        Assert.Equal("category", deal.SkippedFields[1].Params["type"]);
        Assert.Equal(10, deal.Fields);
        Assert.Equal(3, preview.SkippedFields);
        Assert.Equal([new PreviewSkipView("field.computed", 1), new PreviewSkipView("field.gone", 1), new PreviewSkipView("field.type_not_writable", 1)], preview.SkippedByCode);
        Assert.Equal([new PreviewTargetView(OtherPipeline, OtherFirst, 1)], preview.Targets);
        Assert.Equal([new PreviewResponsibleView(Boris, 1)], preview.Responsibles);
    }

    [Fact]
    public void A_text_too_long_for_the_api_is_reported_with_its_limit()
    {
        var source = Source(l => l.CustomFieldsValues!.Single(v => v.FieldId == TextField).Values![0].Value = new string('я', 300));

        var skipped = Preview([source]).Items[0].SkippedFields.Single(s => s.FieldId == TextField);

        Assert.Equal("field.text_too_long", skipped.Code);
        Assert.Equal("256", skipped.Params["limit"]);
    }

    [Fact]
    public void Round_robin_is_resolved_by_the_jobs_sequence_so_the_preview_names_who_each_copy_goes_to()
    {
        var sources = Deals(3);
        var options = Options(responsible: new ResponsibleRule(ResponsibleMode.RoundRobin, [Anna, Boris])) with { CopiesPerLead = 2 };

        var preview = Preview(sources, options);

        Assert.Equal([Anna, Boris, Anna, Boris, Anna, Boris], preview.Items.SelectMany(d => d.Copies).Select(c => c.ResponsibleUserId!.Value).ToList());
        // the job plans item i (source order, then copy number) with sequence i: the same answer
        var job = JobState.Create("job", Spec(sources, options), 0);
        var planned = job.Items.Values.Select((item, i) => CopyPlan.Plan(sources.Single(s => s.Id == item.SourceId), Metadata(), options, new CopyContext("job", item.N, i, Now, Requester)).Lead.ResponsibleUserId);
        Assert.Equal(planned, preview.Items.SelectMany(d => d.Copies).Select(c => c.ResponsibleUserId));
        Assert.Equal([new PreviewResponsibleView(Anna, 3), new PreviewResponsibleView(Boris, 3)], preview.Responsibles);
        Assert.Equal(["Сделка 0", "Сделка 0", "Сделка 1"], preview.Items.SelectMany(d => d.Copies).Take(3).Select(c => c.Name));
    }

    [Fact]
    public void A_kept_responsible_who_left_is_replaced_by_the_requester_and_said_so()
    {
        var preview = Preview([Source(l => l.ResponsibleUserId = Inactive)]);

        Assert.Equal(Requester, preview.Items[0].Copies[0].ResponsibleUserId);
        Assert.Contains(preview.Items[0].SkippedFields, s => s.Code == "responsible.unusable_requester" && s.Params["user_id"] == Inactive.ToString());
    }

    [Fact]
    public void Notes_and_tasks_are_counted_as_the_job_would_copy_them()
    {
        var source = Source();
        var notes = new List<Note>
        {
            new() { Id = 1, EntityId = source.Id, NoteType = "common", Params = new Newtonsoft.Json.Linq.JObject { ["text"] = "a" } },
            new() { Id = 2, EntityId = source.Id, NoteType = "amomail_message", Params = new Newtonsoft.Json.Linq.JObject() }, // not creatable
            new() { Id = 3, EntityId = 1, NoteType = "common", Params = new Newtonsoft.Json.Linq.JObject { ["text"] = "another deal" } },
        };
        var tasks = new List<AmoTask>
        {
            new() { Id = 1, EntityId = source.Id, Text = "позвонить", IsCompleted = false },
            new() { Id = 2, EntityId = source.Id, Text = "сделано", IsCompleted = true },
        };
        var content = CopyContent.Everything with { Notes = true, OpenTasks = true };

        var deal = Preview([source], Options(content: content), notes, tasks).Items[0];

        Assert.Equal((1, 1), (deal.Notes, deal.Tasks));
    }

    // deals, copies per deal, notes/tasks copied, original action → requests per step and in all, seconds at 7/s
    public static TheoryData<string, int, int, bool, OriginalMode, string, int, int> Costs => new()
    {
        { "one deal", 1, 1, false, OriginalMode.Leave, "read_leads=1 read_notes=0 read_tasks=0 create_leads=1 link_products=1 create_notes=1 create_tasks=0 update_originals=0", 4, 1 },
        { "one deal, three copies, notes and tasks, closed", 1, 3, true, OriginalMode.CloseWon, "read_leads=1 read_notes=1 read_tasks=1 create_leads=1 link_products=1 create_notes=1 create_tasks=0 update_originals=1", 7, 1 },
        // 120 copies: creates in 50s; two products and two trace notes each, chunks of whole copies within 50 entities
        { "120 deals", 120, 1, false, OriginalMode.Leave, "read_leads=1 read_notes=0 read_tasks=0 create_leads=3 link_products=5 create_notes=5 create_tasks=0 update_originals=0", 14, 2 },
        // 300 deals: two reads of 250 + 50, notes by entity id in chunks the request line allows
        { "300 deals moved", 300, 1, true, OriginalMode.Move, "read_leads=2 read_notes=2 read_tasks=2 create_leads=6 link_products=12 create_notes=12 create_tasks=0 update_originals=6", 42, 6 },
        { "500 deals, 2 copies", 500, 2, false, OriginalMode.Leave, "read_leads=2 read_notes=0 read_tasks=0 create_leads=20 link_products=40 create_notes=40 create_tasks=0 update_originals=0", 102, 15 },
    };

    [Theory]
    [MemberData(nameof(Costs))]
    public void The_requests_a_copy_would_cost_are_counted_step_by_step(string name, int deals, int copies, bool notesAndTasks, OriginalMode original, string steps, int total, int seconds)
    {
        var content = CopyContent.Everything with { Notes = notesAndTasks, OpenTasks = notesAndTasks };
        var options = Options(content: content) with
        {
            CopiesPerLead = copies,
            Original = original switch
            {
                OriginalMode.Move => new OriginalAction(OriginalMode.Move, MainPipeline, MainFirst),
                OriginalMode.Leave => OriginalAction.Leave,
                _ => new OriginalAction(original),
            },
        };

        var preview = Preview(Deals(deals), options, notes: [], tasks: []);

        Assert.True(steps == string.Join(" ", preview.Requests.Steps.Select(s => $"{s.Key}={s.Value}")), $"{name}: {string.Join(" ", preview.Requests.Steps.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.Equal(total, preview.Requests.Total);
        Assert.Equal(preview.Requests.Steps.Where(s => s.Key.StartsWith("read_", StringComparison.Ordinal)).Sum(s => s.Value), preview.Requests.Reads);
        Assert.Equal(seconds, preview.Requests.Seconds);
        Assert.Equal(deals * copies, preview.Copies);
    }

    [Fact]
    public void Tasks_on_the_copies_cost_writes_in_batches_of_fifty()
    {
        var sources = Deals(30);
        var tasks = sources.SelectMany(s => new[] { new AmoTask { Id = s.Id * 10, EntityId = s.Id, Text = "позвонить" }, new AmoTask { Id = s.Id * 10 + 1, EntityId = s.Id, Text = "написать" } }).ToList();

        var preview = Preview(sources, Options(content: CopyContent.Everything with { OpenTasks = true }), tasks: tasks);

        // 60 tasks in chunks of whole copies within 50 tasks: 25 copies, then 5
        Assert.Equal(2, preview.Requests.Steps["create_tasks"]);
        Assert.All(preview.Items, d => Assert.Equal(2, d.Tasks));
    }

    [Fact]
    public void The_rate_decides_the_duration()
    {
        var sources = Deals(120);
        var preview = CopyPreview.Of(Spec(sources), Metadata(), sources, null, null, CopyBudget.Default with { RequestsPerSecond = 2 }, Now);

        Assert.Equal((14, 2, 7), (preview.Requests.Total, preview.Requests.RequestsPerSecond, preview.Requests.Seconds));
    }
}
