using System.Diagnostics;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;
using Xunit.Abstractions;

namespace DealCopy.Host.Tests;

/// <summary>
/// amoCRM's weather, all at once, on a long run (issue 14 part 3): every API route answers 5 % of requests with each
/// fault — 429 with and without retry_after, 500, 502, 503, 504, timeouts, resets before and after the write, answers
/// lost after the write, 401s — the access token expires in the middle and the refresh token rotates. The check is
/// the sandbox's state: every copy exactly once with everything it should have exactly once.
/// </summary>
public sealed class FaultMatrixTests(ITestOutputHelper output) : HostTestBase
{
    private const double Rate = 0.05;
    private const int AccessTokenLifetime = 70;

    protected override void ConfigureSandbox(SandboxOptions o)
    {
        o.AccessTokenLifetimeSeconds = AccessTokenLifetime; // with the client's 60 s skew: refreshed (rotated) during the run
        o.RefreshTokenGrace = true; // amoCRM keeps the old refresh token valid until the new pair is used (API-NOTES §1.3)
        o.TimeoutFaultSeconds = 5;
    }

    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Amo:RequestTimeoutSeconds"] = "2", // a held request costs 2 s, not 20
        // the sandbox's clock jumps ahead to expire the access token; widget tokens it mints then look early by as much
        ["Security:TokenClockSkewSeconds"] = "120",
    };

    [Fact]
    public async Task A_300_copy_job_under_every_fault_at_once_makes_each_copy_and_everything_in_it_exactly_once()
    {
        // OAuth tokens (refreshable), not the demo's long-lived one
        await Sandbox.Control.DisconnectAsync(Sandbox.DemoAccountId);
        var install = await Sandbox.Control.InstallAsync(Sandbox.DemoAccountId, new Uri(Host.BaseAddress, "oauth/callback").ToString());
        Assert.Equal(200, install["status"]!.GetValue<int>());
        await Poll.UntilAsync(async () => (int)(await Host.CallAsync(HttpMethod.Get, "api/v1/meta")).StatusCode, s => s == 200, TimeSpan.FromSeconds(30), s => $"the OAuth install did not take ({s})");

        var before = await DumpAsync();
        var sources = Leads(before).Where(l => l["pipeline_id"]!.GetValue<long>() is Sales or Delivery && l["name"]!.GetValue<string>() != "Сделка с длинным текстом")
            .Select(l => l["id"]!.GetValue<long>()).Take(100).ToArray();
        Assert.Equal(100, sources.Length);
        foreach (var rule in Bench.Faults.Weather(Rate)) await Sandbox.Control.AddFaultAsync(rule); // the figure's weather, at the test's rate
        var clock = Stopwatch.StartNew();

        var request = new
        {
            lead_ids = sources, copies = 3, target = new { pipeline_id = Repeat },
            copy = new { notes = true, open_tasks = true, finished_tasks = true },
            original = new { action = "move", pipeline_id = Sales, status_id = SalesDecision },
            idempotency_key = "fault-matrix",
        };
        // checking the request reads amoCRM too: under this weather it may answer 503 amo.unavailable, and the widget
        // sends the same request again (same idempotency key)
        var (status, accepted) = await Poll.UntilAsync(() => Host.PostCopyAsync(request), r => r.Status is 202 or 200 || r.Status != 503,
            TimeSpan.FromSeconds(60), r => "the copy was never accepted: " + r.Body.ToJsonString());
        Assert.True(status is 202 or 200, accepted.ToJsonString());
        var id = accepted["id"]!.GetValue<string>();
        await Poll.UntilAsync(() => Host.PollJobAsync(id), job => job["done"]!.GetValue<int>() >= 100 || job["finished_at"] is not null, TimeSpan.FromSeconds(90), job => "no progress: " + job.ToJsonString());
        await Sandbox.Control.AdvanceClockAsync(AccessTokenLifetime + 10); // the access token expires under the job's feet: 401, refresh
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(170));
        output.WriteLine($"job {job["status"]} after {clock.Elapsed}, {job["retries"]} retries, last error {job["last_error"]?.ToJsonString()}");
        await Sandbox.Control.ClearFaultsAsync();

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var after = await DumpAsync();
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.DoesNotContain(log, e => e.Status == 403); // never blocked
        foreach (var kind in new[] { "status", "timeout", "reset", "lost_response" }) Assert.Contains(log, e => e.Fault == kind);
        var all = await Sandbox.Control.RequestsAsync();
        Assert.Contains(all, e => e.Path == "/oauth2/access_token" && e.Status == 200 && e.AtMs > log.First(l => l.Path.StartsWith("/api/v4/leads", StringComparison.Ordinal) && l.Method == "POST").AtMs); // rotated mid-run

        // exactly 300 new deals, all of them this job's marked copies, three per source, each with everything once
        var problems = Bench.Faults.CopiesExactlyOnce(before, after, sources, [id], "dealcopy-demo.amocrm.ru", copiesPerSource: 3);
        Assert.Equal(300, CopiesOf(after, id).Count);
        foreach (var sourceId in sources)
        {
            var original = LeadIn(after, sourceId);
            if (original["pipeline_id"]!.GetValue<long>() != Sales || original["status_id"]!.GetValue<long>() != SalesDecision)
                problems.Add($"original {sourceId} was not moved: {original["pipeline_id"]}/{original["status_id"]}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }
}
