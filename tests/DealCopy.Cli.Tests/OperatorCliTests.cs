using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DealCopy.Cli.Tests.Support;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Cli.Tests;

/// <summary>
/// <c>dealcopy</c> (a real process) against a live two-node cluster: what it prints is what the nodes
/// really hold (checked through each node's own view and the sandbox), and refusals end non-zero with a reason.
/// </summary>
public sealed class OperatorCliTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private Task<CliRun> Dealcopy(params string[] args) => CliProcess.RunAsync(nodes.A.BaseAddress, TestHost.AdminToken, args);

    [Fact]
    public async Task Cluster_show_lists_both_nodes_up_with_the_leader()
    {
        var table = await Dealcopy("cluster", "show");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(nodes.AddressA + " (self)", table.Out);
        Assert.Contains(nodes.AddressB, table.Out);
        Assert.Equal(2, table.Out.Split('\n').Count(l => l.Contains("  Up  ", StringComparison.Ordinal)));

        var json = (await Dealcopy("cluster", "show", "--json")).Json;
        Assert.Equal(new[] { nodes.AddressA, nodes.AddressB }.Order(StringComparer.Ordinal), json["members"]!.AsArray().Select(m => m!["address"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Contains(json["leader"]!.GetValue<string>(), new[] { nodes.AddressA, nodes.AddressB });
    }

    [Fact]
    public async Task Region_stats_counts_the_accounts_the_nodes_really_hold()
    {
        var installed = new List<long> { nodes.Sandbox.DemoAccountId };
        for (var i = 0; i < 5; i++)
        {
            var account = await nodes.Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = $"cli-stats-{i}", ["demo"] = true, ["lead_count"] = 1 });
            var id = account["id"]!.GetValue<long>();
            await nodes.B.InstallAsync(id, $"cli-stats-{i}.amocrm.ru", account["admin_token"]!.GetValue<string>());
            installed.Add(id);
        }

        var stats = await Dealcopy("cluster-sharding", "region-stats", "account", "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        // each node's own region state, asked separately: the entities it really runs
        var heldByA = await EntitiesAsync(nodes.A);
        var heldByB = await EntitiesAsync(nodes.B);
        foreach (var id in installed)
            Assert.True(heldByA.Contains(id) ^ heldByB.Contains(id), $"account {id} should live on exactly one node");
        var perNode = stats.Json["nodes"]!.AsArray().ToDictionary(n => n!["address"]!.GetValue<string>(), n => n!["entities"]!.GetValue<int>());
        Assert.Equal(heldByA.Count, perNode.GetValueOrDefault(nodes.AddressA));
        Assert.Equal(heldByB.Count, perNode.GetValueOrDefault(nodes.AddressB));
        Assert.Equal(heldByA.Count + heldByB.Count, stats.Json["entities"]!.GetValue<int>());

        var table = await Dealcopy("cluster-sharding", "region-stats", "account");
        Assert.Contains($"region account: {heldByA.Count + heldByB.Count} entities on 2 nodes", table.Out);
        var regions = await Dealcopy("cluster-sharding", "regions");
        Assert.Equal("REGION", regions.Out.Split('\n')[0].Trim());
        Assert.Equal("account", regions.Out.Split('\n')[2].Trim());
    }

    private static async Task<HashSet<long>> EntitiesAsync(TestHost node) =>
        (await node.AdminGetAsync("cluster/sharding"))["shards"]!.AsArray()
        .SelectMany(s => s!["entities"]!.AsArray()).Select(e => long.Parse(e!.GetValue<string>(), CultureInfo.InvariantCulture)).ToHashSet();

    [Fact]
    public async Task Account_and_job_verbs_show_the_copy_that_amocrm_holds()
    {
        var account = nodes.Sandbox.DemoAccountId;
        var source = SandboxChecks.Leads(await nodes.Sandbox.Control.DumpAsync(account)).First(l => l["pipeline_id"]!.GetValue<long>() == 7100001)["id"]!.GetValue<long>();
        var (status, accepted) = await nodes.B.PostCopyAsync(new { lead_ids = new[] { source }, target = new { pipeline_id = 7100002 } });
        Assert.Equal(202, status);
        var jobId = accepted["id"]!.GetValue<string>();
        await nodes.B.WaitJobAsync(jobId);
        var copy = Assert.Single(SandboxChecks.CopiesOf(await nodes.Sandbox.Control.DumpAsync(account), jobId))["id"]!.GetValue<long>();

        var show = await Dealcopy("account", "show", account.ToString(CultureInfo.InvariantCulture));
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("dealcopy-demo.amocrm.ru", show.Out);
        var jobs = await Dealcopy("account", "jobs", account.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(jobs.Out.Split('\n'), l => l.StartsWith(jobId, StringComparison.Ordinal) && l.Contains("completed", StringComparison.Ordinal) && l.Contains("1/1", StringComparison.Ordinal));
        var job = await Dealcopy("job", "show", jobId, "--account", account.ToString(CultureInfo.InvariantCulture));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.StartsWith($"job {jobId}: completed, 1/1 done", job.Out);
        Assert.Contains(job.Out.Split('\n'), l => l.StartsWith(source.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) && l.Contains(copy.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var jobJson = (await Dealcopy("job", "show", jobId, "-a", account.ToString(CultureInfo.InvariantCulture), "--json")).Json;
        Assert.Equal(copy, jobJson["deals"]![0]!["copies"]![0]!["lead_id"]!.GetValue<long>());

        var missing = await Dealcopy("job", "show", "no-such-job", "-a", account.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("job.not_found", missing.Err);
    }

    [Fact]
    public async Task Log_peek_shows_the_nodes_last_lines()
    {
        var peek = await Dealcopy("log", "peek", "-n", "3", "--json");
        Assert.True(peek.ExitCode == 0, peek.ToString());
        Assert.Equal(3, peek.Json["lines"]!.AsArray().Count);
        var text = await Dealcopy("log", "peek", "--lines", "5");
        Assert.Equal(5, text.Out.TrimEnd('\n').Split('\n').Length);
        Assert.All(text.Out.TrimEnd('\n').Split('\n'), l => Assert.Matches(@"^\d{4}-\d\d-\d\dT.* \[(Verbose|Debug|Information|Warning|Error|Fatal)\] ", l));
        Assert.DoesNotContain(TestHost.AdminToken, (await Dealcopy("log", "peek", "-n", "1000")).Out);
    }

    [Fact]
    public async Task A_wrong_token_or_an_unreachable_node_ends_non_zero_with_a_clear_message()
    {
        var wrong = await CliProcess.RunAsync(nodes.A.BaseAddress, "not-the-token", "cluster", "show");
        Assert.Equal(4, wrong.ExitCode);
        Assert.Contains("refused the operator token", wrong.Err);
        Assert.Equal("", wrong.Out);

        var none = await CliProcess.RunAsync(nodes.A.BaseAddress, null, "cluster", "show");
        Assert.Equal(4, none.ExitCode);
        Assert.Contains("DEALCOPY_ADMIN_TOKEN", none.Err);

        var closed = new Uri($"http://127.0.0.1:{FreePort()}/");
        var unreachable = await CliProcess.RunAsync(closed, TestHost.AdminToken, "cluster", "show");
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains($"Cannot reach the node at {closed}", unreachable.Err);

        // the same through options instead of the environment
        var byOption = await CliProcess.RunAsync(null, null, "cluster", "show", "--url", nodes.B.BaseAddress.ToString(), "--token", TestHost.AdminToken);
        Assert.True(byOption.ExitCode == 0, byOption.ToString());
        Assert.Contains(nodes.AddressB + " (self)", byOption.Out);
    }

    [Fact]
    public async Task Refusals_name_their_code_and_change_nothing()
    {
        var stranger = await Dealcopy("cluster", "down", "10.9.9.9:4053");
        Assert.Equal(2, stranger.ExitCode);
        Assert.Contains("cluster.not_a_member", stranger.Err);
        var region = await Dealcopy("cluster-sharding", "region-stats", "nosuch");
        Assert.Equal(2, region.ExitCode);
        Assert.Contains("region.not_found", region.Err);
        var nobody = await Dealcopy("cluster", "down-unreachable");
        Assert.True(nobody.ExitCode == 0, nobody.ToString());
        Assert.Contains("No member is unreachable", nobody.Out);
        var usage = await Dealcopy("cluster", "down");
        Assert.Equal(1, usage.ExitCode);

        var members = (await Dealcopy("cluster", "show", "--json")).Json["members"]!.AsArray();
        Assert.Equal(2, members.Count(m => m!["status"]!.GetValue<string>() == "Up"));
    }

    [Theory]
    [InlineData("cluster", "show")]
    [InlineData("cluster", "leave")]
    [InlineData("cluster", "down")]
    [InlineData("cluster", "down-unreachable")]
    [InlineData("cluster-sharding", "regions")]
    [InlineData("cluster-sharding", "region-stats")]
    [InlineData("account", "show")]
    [InlineData("account", "jobs")]
    [InlineData("job", "show")]
    [InlineData("log", "peek")]
    public async Task Every_verb_explains_itself(string noun, string verb)
    {
        var help = await CliProcess.RunAsync(null, "a-secret-token-from-the-environment", noun, verb, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains($"dealcopy {noun} {verb}", help.Out);
        Assert.Contains("--json", help.Out);
        Assert.DoesNotContain("a-secret-token-from-the-environment", help.Out); // help never shows the token
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
