using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>
/// A job resumed after a create whose answer was lost (ARCHITECTURE §3.3): it looks for its copies by
/// their marker before creating anything again.
/// </summary>
public sealed class CopyJobReconcileTests : JobActorTestKit
{
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();

    /// <summary>A job of <paramref name="copies"/> copies of the demo deal whose first create was sent and never answered.</summary>
    private static JobState Interrupted(int copies)
    {
        var content = CopyContent.Everything with { Products = false };
        var spec = new CopyJobSpec([SourceId], Options(content: content) with { CopiesPerLead = copies }, Requester, null);
        var job = JobState.Create(JobId, spec, Accepted);
        job.Apply(new CopiesAttempted(JobId, job.Items.Keys.ToList(), Accepted + 5));
        return job;
    }

    private static Lead Existing(long id, string jobId, int n) => new()
    {
        Id = id,
        PipelineId = MainPipeline,
        CustomFieldsValues = [new CustomFieldValues { FieldId = MarkerField, Values = [CustomFieldValue.Of(Marker.Value(Referer, SourceId, jobId, n))] }],
    };

    private JobRun Resume(JobState job, List<Lead> recentlyCreated)
    {
        var nextId = 20000L;
        return RunJob(job, DemoAccount.Now.AddMinutes(10), op => op switch
        {
            ReadLeads => new List<Lead> { Source() },
            CallAmo { What: "reconcile copies" } => recentlyCreated,
            CreateLeads c => c.Leads.Select(l => new WrittenEntity { Id = nextId++, RequestId = l.RequestId }).ToList(),
            CreateNotes c => c.Notes.Select(n => new WrittenEntity { Id = nextId++, RequestId = n.RequestId }).ToList(),
            _ => throw new InvalidOperationException("unexpected op " + op),
        });
    }

    [Fact]
    public void A_copy_made_before_the_interruption_is_found_by_its_marker_and_not_made_again()
    {
        var run = Resume(Interrupted(1), [Existing(15000, "ffffffffffffffffffffffffffffffff", 1), Existing(15001, JobId, 1)]);

        Assert.DoesNotContain(run.Ops, op => op is CreateLeads);
        Assert.Contains(run.Journaled, e => e is CopyCreated { LeadId: 15001 });
        Assert.Equal("completed", run.View.Status);
        Assert.Equal([new CopyView(1, 15001)], Assert.Single(run.View.Deals).Copies);
    }

    [Fact]
    public void A_copy_that_was_never_made_is_made_once()
    {
        var run = Resume(Interrupted(1), [Existing(15000, "ffffffffffffffffffffffffffffffff", 1)]);

        var create = Assert.Single(run.Ops.OfType<CreateLeads>());
        Assert.Single(create.Leads);
        Assert.Equal("completed", run.View.Status);
        Assert.Equal([1], Assert.Single(run.View.Deals).Copies.Select(c => c.N));
    }

    [Fact]
    public void Only_the_copies_not_found_are_made_again()
    {
        var run = Resume(Interrupted(3), [Existing(15002, JobId, 2)]);

        var created = run.Ops.OfType<CreateLeads>().SelectMany(c => c.Leads).ToList();
        Assert.Equal([CopyPlan.RequestId(JobId, SourceId, 1), CopyPlan.RequestId(JobId, SourceId, 3)], created.Select(l => l.RequestId));
        var copies = Assert.Single(run.View.Deals).Copies;
        Assert.Equal([1, 2, 3], copies.Select(c => c.N));
        Assert.Equal(15002, copies[1].LeadId);
        Assert.Equal("completed", run.View.Status);
    }
}
