using System.Diagnostics;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>amoCRM's 7 requests per second, 429 and the 403 block after repeated excess (API-NOTES §2).</summary>
public sealed class RateLimitTests
{
    private static async Task<Answer[]> Burst(Amo amo, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => amo.Get("api/v4/account")));

    [Fact, Trait("api-notes", "§2")]
    public async Task More_than_7_requests_in_one_second_get_429_with_retry_after()
    {
        await using var amo = await Amo.StartAsync(o => o.RequestsPerSecond = 7);

        var answers = await Burst(amo, 20);

        Assert.True(answers.Count(a => a.Code == 200) <= 7);
        var limited = answers.Where(a => a.Code == 429).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.True(Problem.Assert(a, 429)["retry_after"]!.GetValue<int>() >= 1));
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task Requests_paced_within_the_limit_never_see_429()
    {
        await using var amo = await Amo.StartAsync(o => o.RequestsPerSecond = 7);

        for (var round = 0; round < 3; round++)
        {
            var answers = await Burst(amo, 7);
            Assert.All(answers, a => Assert.Equal(200, a.Code));
            // Every request of this round was admitted before its answer arrived: one second from now the window has moved.
            if (round < 2) await Eventually.Elapsed(Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(1));
        }
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task Repeated_429s_block_the_account_with_an_HTML_403_until_the_control_API_unblocks_it()
    {
        await using var amo = await Amo.StartAsync(o =>
        {
            o.RequestsPerSecond = 7;
            o.BlockAfterViolations = 2;
        });

        var burst = await Burst(amo, 20);
        Assert.Contains(burst, a => a.Code == 403);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/v4/leads"), (HttpMethod.Get, "api/v4/account"), (HttpMethod.Post, "api/v4/leads") })
        {
            var blocked = await amo.Http.Call(method, path, new System.Text.Json.Nodes.JsonArray());
            Assert.Equal(403, blocked.Code);
            Assert.Equal("text/html", blocked.MediaType);
            Assert.Contains("<html", blocked.Text, StringComparison.OrdinalIgnoreCase);
        }

        await amo.Control.UnblockAsync(amo.AccountId);

        Assert.Equal(200, (await amo.Get("api/v4/account")).Code);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task The_block_lifts_by_itself_after_the_block_time()
    {
        await using var amo = await Amo.StartAsync(o =>
        {
            o.RequestsPerSecond = 7;
            o.BlockAfterViolations = 1;
            o.BlockSeconds = 600;
        });
        Assert.Contains(await Burst(amo, 20), a => a.Code == 403);

        await amo.Control.AdvanceClockAsync(601);

        Assert.Equal(200, (await amo.Get("api/v4/account")).Code);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task The_limit_is_per_account()
    {
        await using var amo = await Amo.StartAsync(o => o.RequestsPerSecond = 7);
        var other = await amo.Control.CreateAccountAsync(new System.Text.Json.Nodes.JsonObject { ["subdomain"] = "other" });
        var otherHttp = amo.ClientWith(other["admin_token"]!.GetValue<string>());

        var burst = await Burst(amo, 20);
        Assert.Contains(burst, a => a.Code == 429);

        Assert.Equal(200, (await otherHttp.Call(HttpMethod.Get, "api/v4/account")).Code);
    }
}
