using DealCopy.Actors.Copying;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>Jobs over many deals: round-robin across the whole job, batched creates, deals gone since acceptance.</summary>
public sealed class CopyJobManyDealsTests : JobActorTestKit
{
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();
    private static readonly CopyContent Bare = new(true, [], true, false, false, false, false, false, false, false);

    private JobRun Run(IReadOnlyList<long> sources, int copies, ResponsibleRule responsible, ISet<long>? goneSinceAccepted = null)
    {
        var spec = new CopyJobSpec(sources, Options(responsible: responsible, content: Bare) with { CopiesPerLead = copies }, Requester, null);
        var nextId = 50000L;
        return RunJob(JobState.Create(JobId, spec, Accepted), DemoAccount.Now.AddSeconds(1), op => op switch
        {
            ReadLeads r => r.Ids.Where(id => goneSinceAccepted?.Contains(id) != true).Select(id => Source(l => l.Id = id)).ToList(),
            CreateLeads c => c.Leads.Select(l => new WrittenEntity { Id = nextId++, RequestId = l.RequestId }).ToList(),
            CreateNotes c => c.Notes.Select(n => new WrittenEntity { Id = 1, RequestId = n.RequestId }).ToList(),
            _ => throw new InvalidOperationException("unexpected op " + op),
        });
    }

    [Fact]
    public void Round_robin_continues_across_deals_and_copies()
    {
        var run = Run([1, 2], 2, new ResponsibleRule(ResponsibleMode.RoundRobin, [Anna, Boris, 20]));

        var owners = run.Ops.OfType<CreateLeads>().SelectMany(c => c.Leads).Select(l => (l.RequestId, l.ResponsibleUserId)).ToList();
        Assert.Equal(
            [(CopyPlan.RequestId(JobId, 1, 1), (long?)Anna), (CopyPlan.RequestId(JobId, 1, 2), Boris), (CopyPlan.RequestId(JobId, 2, 1), 20), (CopyPlan.RequestId(JobId, 2, 2), Anna)],
            owners);
    }

    [Fact]
    public void Deals_are_read_in_parts_of_one_request_and_created_in_writes_of_amoCRMs_maximum()
    {
        var sources = Enumerable.Range(1, 260).Select(i => (long)i).ToList();

        var run = Run(sources, 1, ResponsibleRule.Keep);

        Assert.Equal([200, 60], run.Ops.OfType<ReadLeads>().Select(r => r.Ids.Count));
        Assert.Equal([250, 10], run.Ops.OfType<CreateLeads>().Select(c => c.Leads.Count));
        Assert.Equal("completed", run.View.Status);
        Assert.All(run.View.Deals, d => Assert.Single(d.Copies));
    }

    [Fact]
    public void A_failed_part_of_the_sources_notes_is_read_again_alone_and_the_parts_read_before_are_kept()
    {
        var sources = Enumerable.Range(1, 260).Select(i => (long)i).ToList();
        var content = Bare with { Notes = true };
        var spec = new CopyJobSpec(sources, Options(content: content), Requester, null);
        var nextId = 50000L;
        var failedOnce = false;
        var run = RunJob(JobState.Create(JobId, spec, Accepted), DemoAccount.Now.AddSeconds(1), op => op switch
        {
            ReadLeads r => r.Ids.Select(id => Source(l => l.Id = id)).ToList(),
            // amoCRM fails the second part once (after the client's own retries)
            ReadNotes r when r.LeadIds.Count == 60 && !failedOnce && (failedOnce = true) => new AmoClient.Errors.AmoTransientException("boom", null),
            ReadNotes r => r.LeadIds.Select(id => new Note { Id = id, EntityId = id, NoteType = "common", Params = new() { ["text"] = "заметка " + id } }).ToList(),
            CreateLeads c => c.Leads.Select(l => new WrittenEntity { Id = nextId++, RequestId = l.RequestId }).ToList(),
            CreateNotes c => c.Notes.Select(n => new WrittenEntity { Id = 1, RequestId = n.RequestId }).ToList(),
            _ => throw new InvalidOperationException("unexpected op " + op),
        });

        Assert.Equal("completed", run.View.Status);
        Assert.Equal([200, 60, 60], run.Ops.OfType<ReadNotes>().Select(r => r.LeadIds.Count)); // the 200 read first are not read again
        Assert.Equal(260, run.Ops.OfType<CreateNotes>().SelectMany(c => c.Notes).Count(n => n.NoteType == "common"));
    }

    [Fact]
    public void A_deal_deleted_since_the_job_was_accepted_is_reported_and_the_others_copied()
    {
        var run = Run([1, 2], 1, ResponsibleRule.Keep, new HashSet<long> { 2 });

        Assert.Equal("completed_with_errors", run.View.Status);
        Assert.Equal(["done", "failed"], run.View.Deals.Select(d => d.Status));
        Assert.Equal(["copy 1: the source deal no longer exists"], run.View.Deals[1].Errors);
        Assert.Equal([CopyPlan.RequestId(JobId, 1, 1)], run.Ops.OfType<CreateLeads>().SelectMany(c => c.Leads).Select(l => l.RequestId));
    }
}
