using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>Recover at full speed: a job parks while its account cannot go on, says why, and goes on by itself.</summary>
public sealed class RecoveryTests : HostTestBase
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Jobs:AccountProbeSeconds"] = "1",
    };

    private long[] SomeDeals(JsonObject dump, int count) =>
        Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales).Select(l => l["id"]!.GetValue<long>()).Take(count).ToArray();

    [Fact]
    public async Task A_blocked_account_parks_the_job_with_a_reason_and_it_finishes_once_amoCRM_answers_again()
    {
        var sources = SomeDeals(await DumpAsync(), 20);
        var id = await StartCopyAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } });
        // amoCRM blocks the account: every request gets its HTML 403 page
        var block = await Sandbox.Control.AddFaultAsync(new FaultRule { Path = "/api/v4/*", Kind = "html", Status = 403 });

        var parked = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(60), "waiting_for_account");
        Assert.Equal("account.blocked", parked["last_error"]!["code"]!.GetValue<string>());
        Assert.True(parked["retries"]!.GetValue<int>() >= 1);
        Assert.Null(parked["finished_at"]?.GetValue<long?>());
        // parked, not hammering: the probe is one attempt a second (Jobs:AccountProbeSeconds = 1)
        var before = (await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId)).Count(e => e.Fault == "html");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a span of the probe's own period, not a wait for an outcome
        var during = (await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId)).Count(e => e.Fault == "html") - before;
        Assert.InRange(during, 1, 12);

        await Sandbox.Control.RemoveFaultAsync(block);
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(sources.Order(), CopiesOf(await DumpAsync(), id).Select(SourceOf).Order());
    }

    [Fact]
    public async Task Revoked_tokens_park_the_job_and_installing_again_resumes_it_at_once()
    {
        // probes (the first ones come at the backoff's pace) would wait ten minutes
        await RestartWithAsync(new Dictionary<string, string?> { ["Jobs:AccountProbeSeconds"] = "600", ["Jobs:RetryBaseSeconds"] = "600" });
        var sources = SomeDeals(await DumpAsync(), 10);
        // the create is let in (authorized) and then held: the tokens are revoked while it is in amoCRM's hands
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 3000, Count = 1 });
        var id = await StartCopyAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } });
        await Poll.UntilAsync(() => Sandbox.Control.FaultsAsync(), rules => rules.All(r => r.Used > 0 || r.Kind != "latency"), TimeSpan.FromSeconds(30), _ => "the create never started");
        await Sandbox.Control.DisconnectAsync(Sandbox.DemoAccountId); // tokens revoked; no hook reaches DealCopy

        var parked = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(60), "waiting_for_account");
        Assert.Equal("account.reauthorization_required", parked["last_error"]!["code"]!.GetValue<string>());

        var token = await Sandbox.Control.IssueTokenAsync(Sandbox.DemoAccountId);
        await Host.InstallAsync(Sandbox.DemoAccountId, "dealcopy-demo.amocrm.ru", token);
        // the probe would wait ten minutes: finishing within a minute proves the install resumed it
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(sources.Order(), CopiesOf(await DumpAsync(), id).Select(SourceOf).Order());
    }

    /// <summary>Replaces this test's Host by one with other settings (same sandbox and journal).</summary>
    private async Task RestartWithAsync(IDictionary<string, string?> settings)
    {
        await Host.DisposeAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath, Postgres, settings, JobClock);
        await Host.InstallDemoAsync();
    }
}
