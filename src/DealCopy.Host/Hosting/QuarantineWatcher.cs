using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace DealCopy.Host.Hosting;

/// <summary>
/// A node that another member has quarantined (it was downed and removed while it was paused or cut off) can never
/// talk to that member again in this incarnation: it downs itself at once, so that the cluster's own shutdown runs
/// (exit code <see cref="DealCopyApp.DownedExitCode"/>) instead of waiting for its Split Brain Resolver to see itself
/// in the minority, which under load can take far longer than the stable-after time.
/// </summary>
public sealed class QuarantineWatcher : ReceiveActor
{
    public QuarantineWatcher()
    {
        var cluster = Cluster.Get(Context.System);
        var log = Context.GetLogger();
        Receive<ThisActorSystemQuarantinedEvent>(e =>
        {
            // a node that is leaving (SIGTERM) is removed and quarantined by the others as part of its leave
            if (cluster.IsTerminated || cluster.SelfMember.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed) return;
            log.Warning("{0} has quarantined this node {1}: it was downed by the cluster; downing itself to restart", e.RemoteAddress, e.LocalAddress);
            cluster.Down(cluster.SelfAddress);
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    public static Props Props() => Akka.Actor.Props.Create(() => new QuarantineWatcher());
}
