using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>The tasks step of a job that resumes two days later, after its first attempt's answer was lost.</summary>
public sealed class CopyJobTaskRetryTests : JobActorTestKit
{
    private const long CopyId = 9000;
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();
    private static readonly long Tomorrow = DemoAccount.Now.AddDays(1).ToUnixTimeSeconds();

    private static readonly AmoTask OverdueCall = new()
    {
        Id = 1, EntityId = SourceId, EntityType = "leads", Text = "позвонить", IsCompleted = false,
        CompleteTill = Accepted - 3600, ResponsibleUserId = Boris, TaskTypeId = 1,
    };

    /// <summary>A job whose copy exists, notes are done and tasks were sent once without an answer.</summary>
    private static JobState Resumed()
    {
        var content = CopyContent.Everything with { Products = false, Notes = false, OpenTasks = true };
        var spec = new CopyJobSpec([SourceId], Options(content: content), Requester, null);
        var job = JobState.Create(JobId, spec, Accepted);
        var key = CopyItemState.KeyOf(SourceId, 1);
        job.Apply(new CopiesAttempted(JobId, [key], Accepted));
        job.Apply(new CopyCreated(JobId, key, CopyId, []));
        job.Apply(new CopyStepDone(JobId, key, CopyStep.Notes, null));
        job.Apply(new CopyStepAttempted(JobId, key, CopyStep.Tasks));
        return job;
    }

    private JobRun Resume(List<AmoTask> onTheCopy, params AmoTask[] onTheSource) => RunJob(Resumed(), DemoAccount.Now.AddDays(2), op => op switch
    {
        ReadLeads => new List<Lead> { Source() },
        ReadTasks r when r.LeadIds.SequenceEqual([SourceId]) => onTheSource.Length > 0 ? onTheSource.ToList() : new List<AmoTask> { OverdueCall },
        ReadTasks r when r.LeadIds.SequenceEqual([CopyId]) => onTheCopy,
        CreateTasks c => c.Tasks.Select(t => new WrittenEntity { Id = 78, RequestId = t.RequestId }).ToList(),
        _ => throw new InvalidOperationException("unexpected op " + op),
    });

    [Fact]
    public void A_task_created_by_the_lost_attempt_is_found_and_not_created_again()
    {
        var createdBefore = new AmoTask { Id = 77, EntityId = CopyId, Text = OverdueCall.Text, CompleteTill = Tomorrow, IsCompleted = false, ResponsibleUserId = Boris };

        var run = Resume([createdBefore]);

        Assert.DoesNotContain(run.Ops, op => op is CreateTasks);
        Assert.Contains(run.Journaled, e => e is CopyStepDone { Step: CopyStep.Tasks, Problem: null });
        Assert.Equal("completed", run.View.Status);
    }

    [Fact]
    public void A_task_the_lost_attempt_did_not_create_is_created_due_the_day_after_the_copy_was_asked_for()
    {
        var run = Resume([]);

        var task = Assert.Single(Assert.Single(run.Ops.OfType<CreateTasks>()).Tasks);
        Assert.Equal((CopyId, OverdueCall.Text, Tomorrow, (long?)Boris), (task.EntityId!.Value, task.Text, task.CompleteTill!.Value, task.ResponsibleUserId));
        Assert.Equal("completed", run.View.Status);
    }

    [Fact]
    public void Of_two_alike_tasks_only_one_of_which_was_written_the_other_is_written_now()
    {
        // the same text, both overdue: both are due tomorrow in the copy, so they look alike there
        var secondCall = new AmoTask
        {
            Id = 2, EntityId = SourceId, EntityType = "leads", Text = OverdueCall.Text, IsCompleted = false,
            CompleteTill = Accepted - 7200, ResponsibleUserId = Boris, TaskTypeId = 1,
        };
        var createdBefore = new AmoTask { Id = 77, EntityId = CopyId, Text = OverdueCall.Text, CompleteTill = Tomorrow, IsCompleted = false, ResponsibleUserId = Boris };

        var run = Resume([createdBefore], OverdueCall, secondCall);

        var task = Assert.Single(Assert.Single(run.Ops.OfType<CreateTasks>()).Tasks);
        Assert.Equal((OverdueCall.Text, Tomorrow), (task.Text, task.CompleteTill!.Value));
        Assert.Equal("completed", run.View.Status);
    }
}
