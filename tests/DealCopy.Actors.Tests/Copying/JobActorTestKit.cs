using Akka.Actor;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using Microsoft.Extensions.Time.Testing;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>What a job did: the amoCRM calls it asked for, what it journaled, and what the user then sees.</summary>
public sealed record JobRun(List<GatewayOp> Ops, List<IAccountEvent> Journaled, JobView View);

/// <summary>
/// Runs a <see cref="CopyJobActor"/> of the demo account to its end. The test actor is both the job's
/// account (its parent: metadata, journal) and its gateway, so everything arrives in one queue and is
/// answered in order; <c>amo</c> answers the gateway ops for amoCRM (an exception it returns is amoCRM's error).
/// </summary>
public abstract class JobActorTestKit() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    protected static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    protected JobRun RunJob(JobState job, DateTimeOffset now, Func<GatewayOp, object?> amo)
    {
        ChildActorOf(CopyJobActor.Props(AccountId, Referer, job, TestActor, ActorSettings.Default, new FakeTimeProvider(now)));
        var ops = new List<GatewayOp>();
        var journaled = new List<IAccountEvent>();
        while (true)
        {
            switch (ReceiveOne(Step))
            {
                case GatewayOp op:
                    ops.Add(op);
                    var answer = amo(op);
                    LastSender.Tell(answer is Exception error ? new GatewayResult(op.OpId, null, error) : new GatewayResult(op.OpId, answer, null));
                    break;
                case GetJobMetadata:
                    LastSender.Tell(Metadata());
                    break;
                case PersistJobEvents p:
                    journaled.AddRange(p.Events);
                    LastSender.Tell(Persisted.Instance);
                    break;
                case JobHealth:
                    break;
                case JobActorDone:
                    // one pass: no failure was hidden by a retry (each source read once, in parts of one request each)
                    var read = ops.OfType<ReadLeads>().SelectMany(r => r.Ids).ToList();
                    Assert.Equal(read.Distinct().Count(), read.Count);
                    return new JobRun(ops, journaled, job.ToView());
                case null:
                    throw new TimeoutException("the job stopped talking");
            }
        }
    }
}
