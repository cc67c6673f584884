using System.Net;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>An idle account's entity stops and wakes again on the next call; never while its job runs.</summary>
public sealed class PassivationTests : HostTestBase
{
    protected override IDictionary<string, string?>? HostSettings => new Dictionary<string, string?>
    {
        ["Akka:AccountIdleSeconds"] = "1",
        ["Security:TokenClockSkewSeconds"] = "1",
    };

    private Task<bool> AwakeAsync() => Host.HoldsAccountAsync(Sandbox.DemoAccountId);

    [Fact]
    public async Task An_account_sleeps_only_when_idle_and_the_next_call_wakes_it()
    {
        // the copy's create call takes 4 s: four idle periods without a single message to the account
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 4000, Count = 1 });
        var token = await Host.WidgetTokenAsync();
        using (var post = await Host.CallAsync(HttpMethod.Post, "api/v1/copies", new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } }, token))
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);

        var asleepWhileRunning = false;
        await Poll.UntilAsync(async () =>
        {
            var copies = Leads(await DumpAsync()).Count(l => Marker(l) is not null);
            asleepWhileRunning |= copies == 0 && !await AwakeAsync();
            return copies;
        }, copies => copies > 0, TimeSpan.FromSeconds(60), _ => "the copy never appeared");
        Assert.False(asleepWhileRunning, "the account was stopped while its job was waiting for amoCRM");

        // the job finishes; a second later, with nothing to do, the account stops
        await Poll.UntilAsync(AwakeAsync, awake => !awake, TimeSpan.FromSeconds(60), _ => "the idle account never stopped");

        // it forgot which tokens it saw, yet the one used before is still refused; a fresh one wakes it
        using (var replay = await Host.CallAsync(HttpMethod.Get, "api/v1/meta", token: token))
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        using (var fresh = await Host.CallAsync(HttpMethod.Get, "api/v1/meta"))
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.True(await AwakeAsync());
        var copy = Assert.Single(Leads(await DumpAsync()), l => Marker(l) is not null);
        Assert.Equal(Repeat, copy["pipeline_id"]!.GetValue<long>());
    }
}
