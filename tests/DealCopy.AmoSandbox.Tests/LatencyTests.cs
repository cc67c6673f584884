using System.Diagnostics;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Sandbox:LatencyMs makes every amoCRM answer take as long as the real amoCRM's; the limit counts arrivals.</summary>
public sealed class LatencyTests
{
    private static async Task<TimeSpan> Timed(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(started);
    }

    [Fact]
    public async Task Every_api_answer_takes_the_configured_latency_and_the_control_api_does_not()
    {
        await using var amo = await Amo.StartAsync(o => o.LatencyMs = 300);

        var api = await Timed(async () => Assert.Equal(200, (await amo.Get("api/v4/account")).Code));
        var refused = await Timed(async () => Assert.Equal(401, (await amo.ClientWith("wrong-token").Call(HttpMethod.Get, "api/v4/account")).Code));
        await amo.Control.ClearFaultsAsync();

        Assert.InRange(api.TotalMilliseconds, 300, 10000);
        Assert.InRange(refused.TotalMilliseconds, 300, 10000);
        var log = await amo.Control.RequestsAsync();
        var control = log.First(e => e.Path.StartsWith("/_sandbox", StringComparison.Ordinal));
        Assert.Equal(control.ReceivedMs, control.AtMs); // no latency before a control request is handled
        var logged = log.Single(e => e.Path == "/api/v4/account" && e.Status == 200);
        Assert.InRange(logged.AnsweredMs - logged.ReceivedMs, 300, 10000);
        Assert.InRange(logged.AtMs - logged.ReceivedMs, 150, 8000); // counted when it arrived, half-way
    }

    [Fact]
    public async Task Jitter_varies_the_latency_within_its_bounds()
    {
        await using var amo = await Amo.StartAsync(o =>
        {
            o.LatencyMs = 100;
            o.LatencyJitterMs = 80;
        });

        for (var i = 0; i < 12; i++) Assert.Equal(200, (await amo.Get("api/v4/account")).Code);

        var stays = (await amo.Control.RequestsAsync(amo.AccountId)).Select(e => e.AnsweredMs - e.ReceivedMs).ToList();
        Assert.All(stays, ms => Assert.InRange(ms, 20, 2000));
        Assert.True(stays.Distinct().Count() > 1, "jitter should make the answers' times differ: " + string.Join(", ", stays));
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task Slow_answers_do_not_widen_the_limit_requests_are_counted_when_they_arrive()
    {
        await using var amo = await Amo.StartAsync(o =>
        {
            o.RequestsPerSecond = 7;
            o.LatencyMs = 200;
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => amo.Get("api/v4/account")));

        Assert.Equal(7, answers.Count(a => a.Code == 200));
        Assert.Equal(3, answers.Count(a => a.Code == 429));
    }

    [Fact]
    public async Task Latency_outside_0_to_60000_ms_is_refused_at_start()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await AmoSandboxServer.StartAsync(o => o.LatencyMs = -1));
    }

    [Fact]
    public async Task An_account_of_full_deals_gives_every_deal_the_benchmark_shape()
    {
        await using var amo = await Amo.StartAsync();
        var created = await amo.Control.CreateAccountAsync(new JsonObject { ["demo"] = true, ["full_deals"] = true, ["lead_count"] = 5 });

        var dump = await amo.Control.DumpAsync(created["id"]!.GetValue<long>());

        var leads = dump["leads"]!.AsArray();
        Assert.Equal(5, leads.Count);
        var notes = dump["notes"]!.AsArray();
        var tasks = dump["tasks"]!.AsArray();
        foreach (var lead in leads)
        {
            var id = lead!["id"]!.GetValue<long>();
            Assert.Equal(10, lead["custom_fields_values"]!.AsArray().Count);
            Assert.Equal(10, lead["custom_fields_values"]!.AsArray().Select(v => v!["field_type"]!.GetValue<string>()).Distinct().Count());
            var embedded = lead["_embedded"]!;
            Assert.Equal(2, embedded["contacts"]!.AsArray().Count);
            Assert.Single(embedded["contacts"]!.AsArray(), c => c!["is_main"]!.GetValue<bool>());
            Assert.Single(embedded["companies"]!.AsArray());
            Assert.Equal(3, embedded["catalog_elements"]!.AsArray().Count);
            Assert.Equal(3, notes.Count(n => n!["entity_id"]!.GetValue<long>() == id));
            Assert.Equal(2, tasks.Count(t => t!["entity_id"]!.GetValue<long>() == id));
        }
    }
}
