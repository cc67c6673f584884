using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;
using Xunit.Abstractions;

namespace DealCopy.Host.Tests;

/// <summary>
/// Three Host processes (the built <c>DealCopy.Host.dll</c>) on loopback with one PostgreSQL journal and the sandbox
/// as amoCRM. A node that crashes (<c>kill -9</c>) is downed by the Split Brain Resolver and its account finishes
/// its mass copy on a survivor; a rolling restart of every node loses and repeats nothing; a downed node rejoins.
/// What counts is amoCRM's side: every source deal has exactly one copy, found by its marker.
/// </summary>
public sealed class NodeFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Archive = 7100004, Repeat = 7100002;
    private const int Deals = 300;

    // the resolver decides 5 s after the membership settles (production: 20 s), so a crash costs seconds, not a minute
    private static readonly Dictionary<string, string?> FastDowning = new() { ["Akka:DownUnreachableAfterSeconds"] = "5" };

    private readonly string _postgres = PostgresDatabase.Create();
    private AmoSandboxServer _sandbox = null!;
    private ProcessCluster? _cluster;

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Where the time goes (the test's output): these tests are the slowest of the suite.</summary>
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private ProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("no cluster started");

    private long Account => _sandbox.DemoAccountId;

    public async Task InitializeAsync() =>
        _sandbox = await AmoSandboxServer.StartAsync(o => o.DemoLeadCount = 360); // 300 deals outside the archive pipeline

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private async Task StartClusterAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(FastDowning);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        _cluster = await ProcessCluster.StartAsync(_sandbox, _postgres, 3, all);
        Step("three nodes Up");
        // the first call of a fresh cluster allocates the account's shard; on a loaded machine that can outlast one ask,
        // and the answer is 503 account.busy, "repeat the request": so the test repeats it, as a client would
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await Cluster.Nodes[0].InstallDemoAsync();
                return null;
            }
            catch (InvalidOperationException e) when (e.Message.Contains(": 503 ", StringComparison.Ordinal))
            {
                return e.Message;
            }
        }, busy => busy is null, TimeSpan.FromSeconds(90), busy => busy!);
    }

    private async Task<long[]> SourcesAsync()
    {
        var sources = SandboxChecks.Leads(await _sandbox.Control.DumpAsync(Account)).Where(l => l["pipeline_id"]!.GetValue<long>() != Archive)
            .Select(l => l["id"]!.GetValue<long>()).Take(Deals).ToArray();
        Assert.Equal(Deals, sources.Length);
        return sources;
    }

    /// <summary>Starts the copy; a 503 (the account is moving or slow to wake) is repeated with the same idempotency key.</summary>
    private static async Task<string> StartMassCopyAsync(HostClient through, long[] sources)
    {
        var body = new { lead_ids = sources, target = new { pipeline_id = Repeat }, idempotency_key = Guid.NewGuid().ToString("N") };
        var (status, accepted) = await Poll.UntilAsync(() => through.PostCopyAsync(body), r => r.Status != 503, TimeSpan.FromSeconds(90), r => r.Body.ToJsonString());
        Assert.True(status is 202 or 200, $"expected 202 (or 200: an earlier try got through), got {status}: {accepted.ToJsonString()}");
        return accepted["id"]!.GetValue<string>();
    }

    private async Task<int> CopiesMadeAsync(string jobId) => SandboxChecks.CopiesOf(await _sandbox.Control.DumpAsync(Account), jobId).Count;

    /// <summary>Each source deal has exactly one copy in amoCRM (by marker), and the job's report names those copies.</summary>
    private async Task AssertEveryDealCopiedOnceAsync(long[] sources, JsonObject job)
    {
        Assert.True(job["status"]!.GetValue<string>() == "completed", "the job did not complete: " + job.ToJsonString());
        var copies = SandboxChecks.CopiesOf(await _sandbox.Control.DumpAsync(Account), job["id"]!.GetValue<string>());
        Assert.Equal(sources.Order(), copies.Select(SandboxChecks.SourceOf).Order()); // none lost, none twice
        var reported = job["deals"]!.AsArray().SelectMany(d => d!["copies"]!.AsArray()).Select(c => c!["lead_id"]!.GetValue<long>()).Order();
        Assert.Equal(copies.Select(c => c["id"]!.GetValue<long>()).Order(), reported);
        await SandboxChecks.AssertPacedAsync(_sandbox, Account); // across the handover too
    }

    [Fact]
    public async Task A_crashed_node_is_downed_and_its_mass_copy_finishes_on_a_survivor_with_every_deal_copied_once()
    {
        await StartClusterAsync();
        var sources = await SourcesAsync();
        // slow the creates down so that the crash lands in the middle of the job
        await _sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 700 });
        var entry = Cluster.Nodes[0];
        var id = await StartMassCopyAsync(entry, sources);
        await Poll.UntilAsync(() => entry.JobAsync(id), job => job["done"]!.GetValue<int>() >= 50, TimeSpan.FromSeconds(60), job => "the job never got going: " + job.ToJsonString());

        var holder = await Cluster.HolderOfAsync(Account);
        Step($"job running, {holder.Name} holds the account: kill -9");
        await holder.KillAsync(); // kill -9: no leave, no handover, creates in flight
        Assert.InRange(await CopiesMadeAsync(id), 50, Deals - 1); // really mid-job
        await _sandbox.Control.ClearFaultsAsync();

        var survivors = Cluster.Nodes.Where(n => n != holder).ToList();
        await Cluster.WaitMembersAsync(survivors, TimeSpan.FromSeconds(60)); // the resolver downed the dead node, nobody else
        Step("the dead node is downed and removed");
        // nobody calls the account: its shard comes back on a survivor by itself, from the journal (remember-entities)
        await Poll.UntilAsync(() => Cluster.HoldersOfAsync(Account), holders => holders.Count == 1, TimeSpan.FromSeconds(60),
            holders => $"the account is held by [{string.Join(", ", holders.Select(h => h.Name))}]\n{Cluster.Output}");
        Step("the account restarted on a survivor");
        var job = await Cluster.WaitJobAsync(id, TimeSpan.FromSeconds(120));
        Step("the job completed");

        Assert.Contains(await Cluster.HolderOfAsync(Account), survivors);
        await AssertEveryDealCopiedOnceAsync(sources, job);
    }

    [Fact]
    public async Task A_rolling_restart_of_every_node_during_a_mass_copy_copies_every_deal_once()
    {
        // creates of 10 deals at a time, each answered after 2 s: undisturbed the run would take a minute, longer than
        // three restarts even on a loaded machine; once they are done the creates get fast again
        await StartClusterAsync(new Dictionary<string, string?> { ["Amo:MaxCreateBatch"] = "10" });
        var sources = await SourcesAsync();
        await _sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 2000 });
        var id = await StartMassCopyAsync(Cluster.Nodes[0], sources);
        await Poll.UntilAsync(() => CopiesMadeAsync(id), made => made >= 10, TimeSpan.FromSeconds(60), made => $"the job never got going: {made} copies");

        foreach (var node in Cluster.Nodes)
        {
            var made = await CopiesMadeAsync(id);
            Assert.True(made < Deals, $"the job finished before {node.Name} restarted: the test would prove nothing");
            Step($"{made} copies: SIGTERM to {node.Name}");
            await node.TerminateAsync(TimeSpan.FromSeconds(60)); // SIGTERM: leave the cluster, hand the accounts over, exit
            Assert.Equal(0, node.ExitCode);
            Step($"{node.Name} left and exited");
            if (node == Cluster.Nodes[^1]) await _sandbox.Control.ClearFaultsAsync(); // the rest of the run may be fast
            await node.StartAsync(TimeSpan.FromSeconds(90));     // same address, same journal
            await Cluster.WaitMembersAsync(Cluster.Nodes, TimeSpan.FromSeconds(60));
            Step($"{node.Name} is back: three members Up");
        }
        var job = await Cluster.WaitJobAsync(id, TimeSpan.FromSeconds(120));
        Step("the job completed");

        await AssertEveryDealCopiedOnceAsync(sources, job);
    }

    [Fact]
    public async Task A_downed_node_that_comes_back_stops_itself_and_restarted_on_its_address_rejoins_with_three_members_up()
    {
        await StartClusterAsync();
        var node = Cluster.Nodes[0]; // the first seed: restarted alone it could found a cluster of its own
        var others = Cluster.Nodes.Skip(1).ToList();

        await node.FreezeAsync(); // to the others it is gone: no heartbeats
        await Cluster.WaitMembersAsync(others, TimeSpan.FromSeconds(60)); // downed and removed
        Step($"{node.Name} is downed and removed");
        await node.ThawAsync(); // it comes back and learns it was downed
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60)); // a downed node must not go on working: it stops itself
        Assert.Equal(Hosting.DealCopyApp.DownedExitCode, node.ExitCode); // and says so to its supervisor, which restarts it
        Step($"{node.Name} came back, found itself downed and exited");
        await node.StartAsync(TimeSpan.FromSeconds(90));
        await Cluster.WaitMembersAsync(Cluster.Nodes, TimeSpan.FromSeconds(60)); // each of the three sees all three Up
        Step($"{node.Name} rejoined: three members Up");

        // and the rejoined node takes work: a copy through it completes
        var sources = (await SourcesAsync()).Take(5).ToArray();
        var job = await Cluster.WaitJobAsync(await StartMassCopyAsync(node, sources), TimeSpan.FromSeconds(90));
        await AssertEveryDealCopiedOnceAsync(sources, job);
    }
}
