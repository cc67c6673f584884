using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>
/// Two nodes on loopback sharing one PostgreSQL journal: an account lives on one of them, calls through the
/// other reach it, and when its node leaves mid-job the other node takes the account over and finishes
/// the job, every copy exactly once.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private readonly string _postgres = PostgresDatabase.Create();
    private readonly string _dataA = Path.Combine(Path.GetTempPath(), "dealcopy-cluster-a-" + Guid.NewGuid().ToString("N"));
    private readonly string _dataB = Path.Combine(Path.GetTempPath(), "dealcopy-cluster-b-" + Guid.NewGuid().ToString("N"));
    private AmoSandboxServer _sandbox = null!;
    private TestHost _a = null!, _b = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await AmoSandboxServer.StartAsync();
        // creates of 50, not 250: the handover test stops a node between the first creates and the last
        _a = await TestHost.StartAsync(_sandbox, _dataA, _postgres, new Dictionary<string, string?> { ["Amo:MaxCreateBatch"] = "50" });
        var seed = (await _a.AdminGetAsync("cluster"))["self"]!.GetValue<string>();
        _b = await TestHost.StartAsync(_sandbox, _dataB, _postgres, new Dictionary<string, string?> { ["Akka:SeedNodes:0"] = seed, ["Amo:MaxCreateBatch"] = "50" });
        await Poll.UntilAsync(() => _a.AdminGetAsync("cluster"), c => c["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Up") == 2,
            TimeSpan.FromSeconds(30), c => "the two nodes did not form a cluster: " + c.ToJsonString());
        await _a.InstallDemoAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _sandbox.DisposeAsync();
        foreach (var dir in new[] { _dataA, _dataB })
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task When_the_node_holding_an_account_leaves_mid_job_the_other_node_finishes_it_exactly_once()
    {
        var account = _sandbox.DemoAccountId;
        var holder = await _a.HoldsAccountAsync(account) ? _a : _b;
        var other = holder == _a ? _b : _a;
        Assert.True(await holder.HoldsAccountAsync(account));
        Assert.False(await other.HoldsAccountAsync(account)); // one account, one node

        var dump = await _sandbox.Control.DumpAsync(account);
        var sources = SandboxChecks.Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() != 7100004)
            .Select(l => l["id"]!.GetValue<long>()).Take(150).ToArray();
        await _sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 700 });

        // the call goes through the node that does not hold the account
        var (status, accepted) = await other.PostCopyAsync(new { lead_ids = sources, target = new { pipeline_id = 7100002 } });
        Assert.Equal(202, status);
        var id = accepted["id"]!.GetValue<string>();
        await Poll.UntilAsync(() => other.JobAsync(id), job => job["done"]!.GetValue<int>() >= 50, TimeSpan.FromSeconds(60), job => "the job never got going: " + job.ToJsonString());

        await holder.StopAsync(); // leaves the cluster with creates in flight
        Assert.InRange(SandboxChecks.CopiesOf(await _sandbox.Control.DumpAsync(account), id).Count, 50, sources.Length - 1); // really mid-job
        await _sandbox.Control.ClearFaultsAsync();
        var job = await other.WaitJobAsync(id, TimeSpan.FromSeconds(120));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.True(await other.HoldsAccountAsync(account));
        var copies = SandboxChecks.CopiesOf(await _sandbox.Control.DumpAsync(account), id);
        Assert.Equal(sources.Order(), copies.Select(SandboxChecks.SourceOf).Order()); // each source once, none twice
        await SandboxChecks.AssertPacedAsync(_sandbox, account); // over both nodes, across the handover
    }

    [Fact]
    public async Task A_widget_token_used_on_the_node_that_leaves_is_refused_as_a_replay_on_the_node_that_takes_the_account_over()
    {
        var account = _sandbox.DemoAccountId;
        var holder = await _a.HoldsAccountAsync(account) ? _a : _b;
        var other = holder == _a ? _b : _a;
        var used = await holder.WidgetTokenAsync();
        var unused = await holder.WidgetTokenAsync(); // minted before the handover, first shown after it
        using (var first = await holder.CallAsync(HttpMethod.Get, "api/v1/meta", token: used))
            Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);

        await holder.StopAsync(); // the account moves to the other node, which never saw the token
        using (var replay = await other.CallAsync(HttpMethod.Get, "api/v1/meta", token: used))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Equal("auth.token_replayed", JsonNode.Parse(await replay.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        }
        Assert.True(await other.HoldsAccountAsync(account));
        using (var fresh = await other.CallAsync(HttpMethod.Get, "api/v1/meta", token: unused))
            Assert.Equal(System.Net.HttpStatusCode.OK, fresh.StatusCode);
    }
}
