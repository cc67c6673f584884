using Akka.Actor;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using Microsoft.Extensions.Time.Testing;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>
/// The tasks step of a job that resumes after its first attempt's answer was lost: the test actor is the
/// job's account (journal, metadata) and a probe is its gateway.
/// </summary>
public sealed class CopyJobTaskRetryTests() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private const long CopyId = 9000;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
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

    private void Reply<T>(Akka.TestKit.TestProbe gateway, Func<T, object?> value) where T : GatewayOp
    {
        var op = gateway.ExpectMsg<T>(Step);
        gateway.Reply(new GatewayResult(op.OpId, value(op), null));
    }

    private void Persist(Func<IAccountEvent, bool> expected)
    {
        var persist = ExpectMsg<PersistJobEvents>(Step);
        Assert.All(persist.Events, e => Assert.True(expected(e), e.ToString()));
        LastSender.Tell(Persisted.Instance);
    }

    private (Akka.TestKit.TestProbe Gateway, IActorRef Job) Start()
    {
        var gateway = CreateTestProbe();
        var time = new FakeTimeProvider(DemoAccount.Now.AddDays(2)); // the job resumes two days after it was accepted
        var job = ChildActorOf(CopyJobActor.Props(AccountId, Referer, Resumed(), gateway, ActorSettings.Default, time));
        ExpectMsg<GetJobMetadata>(Step);
        LastSender.Tell(Metadata());
        Reply<ReadLeads>(gateway, _ => new List<Lead> { Source() });
        Reply<ReadTasks>(gateway, op => op.LeadIds.SequenceEqual([SourceId]) ? new List<AmoTask> { OverdueCall } : throw new InvalidOperationException("expected the source's tasks"));
        return (gateway, job);
    }

    [Fact]
    public void A_task_created_by_the_lost_attempt_is_found_and_not_created_again()
    {
        var (gateway, _) = Start();
        var createdBefore = new AmoTask { Id = 77, EntityId = CopyId, Text = OverdueCall.Text, CompleteTill = Tomorrow, IsCompleted = false, ResponsibleUserId = Boris };

        Reply<ReadTasks>(gateway, op => op.LeadIds.SequenceEqual([CopyId]) ? new List<AmoTask> { createdBefore } : throw new InvalidOperationException("expected the copy's tasks"));

        AwaitCondition(() => gateway.HasMessages || HasMessages, Step);
        Assert.False(gateway.HasMessages, "the task was created a second time");
        Persist(e => e is CopyStepDone { Step: CopyStep.Tasks, Problem: null });
        Persist(e => e is JobFinished);
        ExpectMsg<JobActorDone>(Step);
    }

    [Fact]
    public void A_task_the_lost_attempt_did_not_create_is_created_due_the_day_after_the_copy_was_asked_for()
    {
        var (gateway, _) = Start();

        Reply<ReadTasks>(gateway, _ => new List<AmoTask>());

        var create = gateway.ExpectMsg<CreateTasks>(Step);
        var task = Assert.Single(create.Tasks);
        Assert.Equal((CopyId, OverdueCall.Text, Tomorrow, (long?)Boris), (task.EntityId!.Value, task.Text, task.CompleteTill!.Value, task.ResponsibleUserId));
        gateway.Reply(new GatewayResult(create.OpId, new List<WrittenEntity> { new() { Id = 78, RequestId = task.RequestId } }, null));
        Persist(e => e is CopyStepDone { Step: CopyStep.Tasks, Problem: null });
        Persist(e => e is JobFinished);
        ExpectMsg<JobActorDone>(Step);
    }
}
