using DealCopy.Actors.Accounts;
using DealCopy.Actors.History;
using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.Tests.History;

public sealed class JobHistoryTests
{
    private const long Anna = 1, Boris = 2;
    private static readonly HistoryViewer AnnaUser = new(Anna, false), BorisUser = new(Boris, false), Admin = new(99, true);

    private static JobState Job(string id, long by, long at, params IJobEvent[] events)
    {
        var spec = new CopyJobSpec([100, 200], new CopyOptions(1, null, ResponsibleRule.Keep, "{name}", CopyContent.Everything, OriginalAction.Leave, 1), by, null);
        var job = JobState.Create(id, spec, at);
        foreach (var e in events) job.Apply(e);
        return job;
    }

    private static readonly JobState[] Jobs =
    [
        Job("a-old", Anna, 100, new CopiesAttempted("a-old", ["100:1", "200:1"], 101), new CopyCreated("a-old", "100:1", 1001, []),
            new CopyFailed("a-old", "200:1", Reason.Of("copy.source_gone", "the source deal no longer exists")), new JobFinished("a-old", 110)),
        Job("b-mid", Boris, 200, new CopiesAttempted("b-mid", ["100:1"], 201), new CopyCreated("b-mid", "100:1", 1002, [])),
        Job("a-new", Anna, 300, new CopiesAttempted("a-new", ["100:1", "200:1"], 301), new CopyCreated("a-new", "100:1", 1003, []),
            new CopyCreated("a-new", "200:1", 1004, []), new JobFinished("a-new", 310), new UndoRequested("a-new", Anna, 320)),
    ];

    [Fact]
    public void A_user_sees_only_their_own_jobs_newest_first()
    {
        var page = JobHistory.Page(Jobs, AnnaUser, 0, 20, 0);
        Assert.Equal(2, page.Total);
        Assert.Equal(["a-new", "a-old"], page.Items.Select(i => i.Id));
        Assert.Equal(["b-mid"], JobHistory.Page(Jobs, BorisUser, 0, 20, 0).Items.Select(i => i.Id));
    }

    [Fact]
    public void An_admin_sees_everyones_jobs()
    {
        Assert.Equal(["a-new", "b-mid", "a-old"], JobHistory.Page(Jobs, Admin, 0, 20, 0).Items.Select(i => i.Id));
    }

    [Theory]
    [InlineData(0, 2, new[] { "a-new", "b-mid" })]
    [InlineData(2, 2, new[] { "a-old" })]
    [InlineData(3, 2, new string[0])]
    public void Pages_by_offset_and_limit_and_counts_all(int offset, int limit, string[] ids)
    {
        var page = JobHistory.Page(Jobs, Admin, offset, limit, 0);
        Assert.Equal(3, page.Total);
        Assert.Equal(ids, page.Items.Select(i => i.Id));
    }

    [Fact]
    public void Jobs_older_than_the_retention_are_left_out()
    {
        Assert.Equal(["a-new", "b-mid"], JobHistory.Page(Jobs, Admin, 0, 20, createdSince: 200).Items.Select(i => i.Id));
    }

    [Fact]
    public void Summary_counts_copies_and_failures_and_says_whether_undo_is_possible()
    {
        var items = JobHistory.Page(Jobs, Admin, 0, 20, 0).Items.ToDictionary(i => i.Id);
        var old = items["a-old"];
        Assert.Equal(("completed_with_errors", "copy", Anna, 2, 2, 1, 1, true), (old.Status, old.Kind, old.StartedBy, old.Total, old.Done, old.Created, old.Failed, old.CanUndo));
        Assert.Equal(100, old.CreatedAt);
        Assert.Equal(110, old.FinishedAt);
        Assert.False(items["b-mid"].CanUndo);                                  // still running
        Assert.Equal(("undoing", false), (items["a-new"].Status, items["a-new"].CanUndo)); // undo already asked
    }

    [Fact]
    public void A_run_that_created_nothing_cannot_be_undone()
    {
        var failed = Job("f", Anna, 1, new CopiesAttempted("f", ["100:1", "200:1"], 2), new CopyFailed("f", "100:1", Reason.Of("copy.refused", "x")), new CopyFailed("f", "200:1", Reason.Of("copy.refused", "y")), new JobFinished("f", 3));
        Assert.False(JobHistory.CanUndo(failed));
    }
}
