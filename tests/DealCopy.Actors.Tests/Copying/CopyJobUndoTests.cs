using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>Undo: the API cannot delete deals, so the copies are closed as lost, unlinked and noted (ARCHITECTURE §4).</summary>
public sealed class CopyJobUndoTests : JobActorTestKit
{
    private const long Kept = 1001, DeletedInAmo = 1002;
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();

    private static JobState CopiedTwiceThenUndone()
    {
        var spec = new CopyJobSpec([SourceId], Options() with { CopiesPerLead = 2 }, Requester, null);
        var job = JobState.Create(JobId, spec, Accepted);
        job.Apply(new CopiesAttempted(JobId, ["4242:1", "4242:2"], Accepted));
        job.Apply(new CopyCreated(JobId, "4242:1", Kept, []));
        job.Apply(new CopyCreated(JobId, "4242:2", DeletedInAmo, []));
        job.Apply(new JobFinished(JobId, Accepted + 60));
        job.Apply(new UndoRequested(JobId, Anna, Accepted + 600));
        return job;
    }

    /// <summary>The kept copy as amoCRM returns it, in the other pipeline, with its contacts and company.</summary>
    private static readonly Lead KeptCopy = AmoJson.Deserialize<Lead>("""
        {"id":1001,"name":"Поставка","pipeline_id":5000,"status_id":5002,
         "_embedded":{"companies":[{"id":300}],"contacts":[{"id":501,"is_main":false},{"id":502,"is_main":true}]}}
        """);

    private JobRun Undo() => RunJob(CopiedTwiceThenUndone(), DemoAccount.Now.AddMinutes(11), op => op switch
    {
        ReadLeads r when r.Ids.Order().SequenceEqual([Kept, DeletedInAmo]) => new List<Lead> { KeptCopy },
        UpdateLeads u => u.Leads.Select(l => new WrittenEntity { Id = l.Id!.Value }).ToList(),
        LinkEntities { Unlink: true } => null,
        CreateNotes c => c.Notes.Select(n => new WrittenEntity { Id = 7, RequestId = n.RequestId }).ToList(),
        _ => throw new InvalidOperationException("unexpected op " + op),
    });

    [Fact]
    public void Undo_closes_the_copy_as_lost_in_its_own_pipeline()
    {
        var close = Assert.Single(Assert.Single(Undo().Ops.OfType<UpdateLeads>()).Leads);

        Assert.Equal((Kept, 5000L, PipelineStatus.LostStatusId), (close.Id!.Value, close.PipelineId!.Value, close.StatusId!.Value));
    }

    [Fact]
    public void Undo_unlinks_the_copys_contacts_and_company()
    {
        var unlink = Assert.Single(Undo().Ops.OfType<LinkEntities>());

        Assert.True(unlink.Unlink);
        Assert.Equal([(Kept, "contacts", 501L), (Kept, "contacts", 502L), (Kept, "companies", 300L)],
            unlink.Links.Select(l => (l.EntityId!.Value, l.ToEntityType, l.ToEntityId)));
    }

    [Fact]
    public void Undo_notes_on_the_copy_who_rolled_it_back()
    {
        var note = Assert.Single(Assert.Single(Undo().Ops.OfType<CreateNotes>()).Notes);

        Assert.Equal((Kept, NoteTypes.ServiceMessage, (bool?)false), (note.EntityId, note.NoteType, note.IsNeedToTriggerDigitalPipeline));
        Assert.Contains("Анна", (string?)note.Params!["text"], StringComparison.Ordinal);
        Assert.Contains(JobId, (string?)note.Params!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_user_sees_what_was_closed_and_what_could_not_be_undone()
    {
        var view = Undo().View;

        Assert.Equal("undone", view.Status);
        var undo = view.Undo!;
        Assert.Equal(("done", Anna), (undo.Status, undo.ByUserId));
        Assert.Equal([Kept], undo.Closed);
        var problem = Assert.Single(undo.NotUndone);
        Assert.Equal(DeletedInAmo, problem.LeadId);
        Assert.Contains("no longer exists", problem.Reason, StringComparison.Ordinal);
    }
}
