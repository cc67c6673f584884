using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>A fresh job from start to finish: what amoCRM is asked to do, in which order, and what the user sees.</summary>
public sealed class CopyJobRunTests : JobActorTestKit
{
    private const long Copy = 30000;
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();

    private static JobState Fresh(OriginalAction original)
    {
        var content = CopyContent.Everything with { Notes = true, OpenTasks = true };
        var spec = new CopyJobSpec([SourceId], Options(OtherPipeline, content: content) with { Original = original }, Requester, null);
        return JobState.Create(JobId, spec, Accepted);
    }

    private JobRun Run(OriginalAction original) => RunJob(Fresh(original), DemoAccount.Now.AddSeconds(1), op => op switch
    {
        ReadLeads => new List<Lead> { Source() },
        CreateLeads c => c.Leads.Select((l, i) => new WrittenEntity { Id = Copy + i, RequestId = l.RequestId }).ToList(),
        LinkEntities => null,
        ReadNotes => new List<Note>
        {
            new() { Id = 1, EntityId = SourceId, NoteType = NoteTypes.Common, Params = new JObject { ["text"] = "клиент просил скидку" }, CreatedAt = Accepted - 100 },
            new() { Id = 2, EntityId = SourceId, NoteType = "lead_status_changed", Params = new JObject(), CreatedAt = Accepted - 50 },
        },
        ReadTasks => new List<AmoTask> { new() { Id = 5, EntityId = SourceId, Text = "перезвонить", IsCompleted = false, CompleteTill = Accepted + 3600, ResponsibleUserId = Boris } },
        CreateNotes c => c.Notes.Select((n, i) => new WrittenEntity { Id = 100 + i, RequestId = n.RequestId }).ToList(),
        CreateTasks c => c.Tasks.Select((t, i) => new WrittenEntity { Id = 200 + i, RequestId = t.RequestId }).ToList(),
        UpdateLeads u => u.Leads.Select(l => new WrittenEntity { Id = l.Id!.Value }).ToList(),
        _ => throw new InvalidOperationException("unexpected op " + op),
    });

    [Fact]
    public void The_sources_notes_and_tasks_are_read_ahead_then_the_copy_its_products_notes_and_tasks_are_written_and_the_original_is_closed_last()
    {
        var run = Run(new OriginalAction(OriginalMode.CloseLost, LossReasonId: 4203748));

        // the reads do not depend on the copy: they are asked for before it is created, so they can share its time
        Assert.Equal(["ReadLeads", "ReadNotes", "ReadTasks", "CreateLeads", "LinkEntities", "CreateNotes", "CreateTasks", "UpdateLeads"],
            run.Ops.Select(o => o.GetType().Name));
        Assert.Equal("completed", run.View.Status);
        Assert.Equal([new CopyView(1, Copy)], Assert.Single(run.View.Deals).Copies);
        Assert.Contains(run.View.Deals[0].SkippedFields, s => s.FieldId == ComputedField);
    }

    [Fact]
    public void Products_are_linked_to_the_new_copy()
    {
        var links = Assert.Single(Run(OriginalAction.Leave).Ops.OfType<LinkEntities>()).Links;

        Assert.Equal([(Copy, 601L), (Copy, 602L)], links.Select(l => (l.EntityId!.Value, l.ToEntityId)));
    }

    [Fact]
    public void Notes_are_copied_and_each_deal_gets_a_trace_note_naming_the_other()
    {
        var notes = Assert.Single(Run(OriginalAction.Leave).Ops.OfType<CreateNotes>()).Notes;

        Assert.Equal([(Copy, "клиент просил скидку")], notes.Where(n => n.NoteType == NoteTypes.Common).Select(n => (n.EntityId, (string?)n.Params!["text"])));
        Assert.Contains(notes, n => n.EntityId == Copy && n.NoteType == NoteTypes.ServiceMessage && ((string?)n.Params!["text"])!.Contains($"/leads/detail/{SourceId}", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.EntityId == SourceId && n.NoteType == NoteTypes.ServiceMessage && ((string?)n.Params!["text"])!.Contains($"/leads/detail/{Copy}", StringComparison.Ordinal));
        Assert.All(notes, n => Assert.False(n.IsNeedToTriggerDigitalPipeline));
    }

    [Theory]
    [InlineData(OriginalMode.CloseLost, MainPipeline, Lost, 4203748L)]
    [InlineData(OriginalMode.CloseWon, MainPipeline, Won, null)]
    [InlineData(OriginalMode.Move, OtherPipeline, OtherSecond, null)]
    public void The_original_is_closed_or_moved_naming_its_pipeline(OriginalMode mode, long pipeline, long status, long? lossReason)
    {
        var original = mode == OriginalMode.Move ? new OriginalAction(mode, OtherPipeline, OtherSecond) : new OriginalAction(mode, LossReasonId: 4203748);

        var write = Assert.Single(Assert.Single(Run(original).Ops.OfType<UpdateLeads>()).Leads);

        Assert.Equal((SourceId, pipeline, status, lossReason), (write.Id!.Value, write.PipelineId!.Value, write.StatusId!.Value, write.LossReasonId));
    }

    [Fact]
    public void Leaving_the_original_does_not_touch_it()
    {
        Assert.DoesNotContain(Run(OriginalAction.Leave).Ops, o => o is UpdateLeads);
    }
}
