using DealCopy.Actors.Accounts;
using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.Tests.Accounts;

public sealed class JobStateTests
{
    private const string Job = "job1";
    private const long A = 100, B = 200;
    private static readonly SkippedField Computed = new(107, "Маржа", "numeric", "computed (formula) field: amoCRM calculates it");

    private static CopyJobSpec Spec(int copies = 1) => new(
        [A, B],
        new CopyOptions(1, null, ResponsibleRule.Keep, "{name}", CopyContent.Everything, OriginalAction.Leave, copies),
        7, null);

    /// <summary>The account as recovered from its journal: installed, then the job's events in order.</summary>
    private static JobState Replay(CopyJobSpec spec, params IJobEvent[] events)
    {
        var account = new AccountState();
        account.Apply(new AccountInstalled("demo.amocrm.ru", "v1.x", 1));
        account.Apply(new JobAccepted(Job, spec, 10));
        foreach (var e in events) account.Apply(e);
        return account.Jobs[Job];
    }

    private static JobState Replay(params IJobEvent[] events) => Replay(Spec(), events);

    private static readonly IJobEvent Attempted = new CopiesAttempted(Job, ["100:1", "200:1"], 11);
    private static readonly IJobEvent CreatedA = new CopyCreated(Job, "100:1", 1001, [Computed]);
    private static readonly IJobEvent CreatedB = new CopyCreated(Job, "200:1", 2001, []);
    private static readonly IJobEvent FailedA = new CopyFailed(Job, "100:1", Reason.Of("copy.refused_repeatedly", "amoCRM kept refusing the copy"));
    private static readonly IJobEvent FailedB = new CopyFailed(Job, "200:1", Reason.Of("copy.source_gone", "the source deal no longer exists", ("lead_id", 200)));
    private static readonly IJobEvent Finished = new JobFinished(Job, 20);

    public static TheoryData<string, IJobEvent[]> Sequences => new()
    {
        { "accepted", [] },
        { "running", [Attempted] },
        { "running", [Attempted, CreatedA] },
        { "completed", [Attempted, CreatedA, CreatedB, Finished] },
        { "completed_with_errors", [Attempted, CreatedA, FailedB, Finished] },
        { "completed_with_errors", [Attempted, CreatedA, CreatedB, new CopyStepDone(Job, "200:1", CopyStep.Notes, Reason.Of("notes.not_copied", "amoCRM refused the notes")), Finished] },
        { "completed_with_errors", [Attempted, CreatedA, CreatedB, new OriginalHandled(Job, A, Reason.Of("original.refused", "amoCRM refused to change the original")), Finished] },
        { "completed", [Attempted, CreatedA, CreatedB, new CopyStepDone(Job, "200:1", CopyStep.Notes, null), new OriginalHandled(Job, A, null), Finished] },
        { "completed", [Attempted, FailedA, CreatedA, CreatedB, Finished] }, // a retry that succeeded clears the error
        { "failed", [Attempted, FailedA, FailedB, Finished] },
        { "undoing", [Attempted, CreatedA, CreatedB, Finished, new UndoRequested(Job, 8, 30)] },
        { "undone", [Attempted, CreatedA, CreatedB, Finished, new UndoRequested(Job, 8, 30), new UndoFinished(Job, 40)] },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Events_give_the_status_the_user_sees(string expected, IJobEvent[] events)
    {
        var job = Replay(events);

        Assert.Equal(expected, job.Status);
        Assert.Equal(expected, job.ToView().Status);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2, true)]
    [InlineData(4, false)]
    public void A_job_runs_until_finished(int applied, bool running)
    {
        IJobEvent[] all = [Attempted, CreatedA, CreatedB, Finished];

        Assert.Equal(running, Replay(all[..applied]).IsRunning);
    }

    [Fact]
    public void A_job_being_undone_runs_again_until_the_undo_finishes()
    {
        Assert.True(Replay(Attempted, CreatedA, CreatedB, Finished, new UndoRequested(Job, 8, 30)).IsRunning);
        Assert.False(Replay(Attempted, CreatedA, CreatedB, Finished, new UndoRequested(Job, 8, 30), new UndoFinished(Job, 40)).IsRunning);
    }

    [Fact]
    public void The_view_lists_each_deal_with_its_copies_skipped_fields_and_errors()
    {
        var job = Replay(Spec(copies: 2),
            new CopiesAttempted(Job, ["100:1", "100:2", "200:1", "200:2"], 11),
            new CopyCreated(Job, "100:2", 1002, [Computed]),
            new CopyCreated(Job, "100:1", 1001, [Computed]),
            new CopyStepDone(Job, "100:2", CopyStep.Tasks, Reason.Of("tasks.not_copied", "tasks not copied: closed", ("detail", "closed"))),
            new CopyFailed(Job, "200:1", Reason.Of("copy.source_gone", "the source deal no longer exists", ("lead_id", 200))),
            new CopyFailed(Job, "200:2", Reason.Of("copy.source_gone", "the source deal no longer exists", ("lead_id", 200))),
            new OriginalHandled(Job, A, Reason.Of("original.refused", "amoCRM refused to change the original: closed deal", ("detail", "closed deal"))),
            new JobFinished(Job, 20));

        var view = job.ToView();

        Assert.Equal((Job, "completed_with_errors", 10L, (long?)20, 4, 4), (view.Id, view.Status, view.CreatedAt, view.FinishedAt, view.Total, view.Done));
        Assert.Collection(view.Deals,
            a =>
            {
                Assert.Equal((A, "done"), (a.SourceId, a.Status));
                Assert.Equal([new CopyView(1, 1001), new CopyView(2, 1002)], a.Copies);
                Assert.Equal([Computed], a.SkippedFields); // reported once, not once per copy
                Assert.Equal(["copy 2: tasks not copied: closed", "original: amoCRM refused to change the original: closed deal"], a.Errors);
                Assert.Equal([(2, "tasks.not_copied", "closed"), (null, "original.refused", "closed deal")], a.Problems.Select(p => (p.Copy, p.Code, p.Params["detail"])));
            },
            b =>
            {
                Assert.Equal((B, "failed"), (b.SourceId, b.Status));
                Assert.Empty(b.Copies);
                Assert.Equal(["copy 1: the source deal no longer exists", "copy 2: the source deal no longer exists"], b.Errors);
                Assert.Equal([(1, "copy.source_gone"), (2, "copy.source_gone")], b.Problems.Select(p => (p.Copy, p.Code)));
            });
        Assert.Null(view.Undo);
    }

    [Fact]
    public void A_deal_still_being_copied_is_pending()
    {
        var view = Replay(Attempted, CreatedA).ToView();

        Assert.Equal(["done", "pending"], view.Deals.Select(d => d.Status));
        Assert.Equal((2, 1), (view.Total, view.Done));
    }

    [Fact]
    public void The_undo_view_lists_what_was_closed_and_what_could_not_be_undone()
    {
        var job = Replay(Attempted, CreatedA, CreatedB, Finished,
            new UndoRequested(Job, 8, 30),
            new CopyStepDone(Job, "100:1", CopyStep.UndoClose, null),
            new CopyStepDone(Job, "100:1", CopyStep.UndoUnlink, null),
            new CopyStepDone(Job, "200:1", CopyStep.UndoClose, Reason.Of("undo.copy_gone", "the deal was deleted in amoCRM")));

        var running = job.ToView();
        Assert.Equal("undoing", running.Status);
        Assert.Equal(("running", 8L), (running.Undo!.Status, running.Undo.ByUserId));

        job.Apply(new UndoFinished(Job, 40));
        var undo = job.ToView().Undo!;

        Assert.Equal("done", undo.Status);
        Assert.Equal([1001L], undo.Closed);
        Assert.Equal([(2001L, "the deal was deleted in amoCRM", "undo.copy_gone")], undo.NotUndone.Select(n => (n.LeadId, n.Reason, n.Code)));
        Assert.All(job.ToView().Deals, d => Assert.Empty(d.Errors)); // undo problems are not copy errors
    }

    [Fact]
    public void An_account_knows_it_is_installed_and_its_subdomain()
    {
        var account = new AccountState();
        Assert.False(account.Installed);

        account.Apply(new AccountInstalled("demo.amocrm.ru", "v1.x", 1));
        account.Apply(new TokensRotated("v1.y", 2));

        Assert.True(account.Installed);
        Assert.Equal(("demo", "v1.y", (long?)1), (account.Subdomain, account.SealedTokens, account.InstalledAt));
    }
}
