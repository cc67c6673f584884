using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>
/// Rights are cached with the metadata (here for an hour) and read again as soon as amoCRM answers 403 to anything of
/// the account — a read made for a decision, or a running job's step (issue 10, docs/API.md "Rights"): a role changed
/// in amoCRM then decides the very next call, and the sandbox's request log shows the users list read again.
/// </summary>
public sealed class RightsRefreshTests : HostTestBase
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Amo:MetadataTtlSeconds"] = "3600",
        ["Jobs:AccountProbeSeconds"] = "2",
    };

    private long Account => Sandbox.DemoAccountId;

    private async Task<(int Status, JsonObject Body)> Call(HttpMethod method, string path, long user, object? body = null)
    {
        using var r = await Host.CallAsync(method, path, body, token: await Host.WidgetTokenAsync(userId: user));
        var text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!);
    }

    private static object CopyOf(long deal) => new { lead_ids = new[] { deal }, target = new { pipeline_id = Repeat }, copy = new { products = false } };

    /// <summary>Gleb loses the add right in amoCRM (an admin changed his role).</summary>
    private Task TakeAddRightFromGleb() =>
        Sandbox.Control.ChangeUserAsync(Account, Gleb, new JsonObject { ["rights"] = new JsonObject { ["leads"] = new JsonObject { ["view"] = "A", ["edit"] = "A", ["add"] = "D" } } });

    private async Task<int> PipelinesOfferedTo(long user)
    {
        var (status, meta) = await Call(HttpMethod.Get, "api/v1/meta", user);
        Assert.True(status == 200, meta.ToJsonString());
        return meta["pipelines"]!.AsArray().Count;
    }

    private async Task<int> UsersReads() => (await Sandbox.Control.RequestsAsync(Account)).Count(e => e is { Method: "GET", Path: "/api/v4/users" });

    /// <summary>Gleb's copy is refused with the rights amoCRM has now, as problem+json, and nothing is written.</summary>
    private async Task AssertGlebIsRefusedWithHisNewRights()
    {
        var logStart = (await Sandbox.Control.RequestsAsync(Account)).Select(e => e.Id).DefaultIfEmpty(0).Max();
        using var r = await Host.CallAsync(HttpMethod.Post, "api/v1/copies", CopyOf(Reference), token: await Host.WidgetTokenAsync(userId: Gleb));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 403, text);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rights.add_denied", JsonNode.Parse(text)!["code"]!.GetValue<string>());
        Assert.DoesNotContain(await Sandbox.Control.RequestsAsync(Account, afterId: logStart), e => e.Method is "POST" or "PATCH" or "DELETE");
        Assert.Equal(0, await PipelinesOfferedTo(Gleb)); // the form offers him nothing to copy into either
    }

    [Fact]
    public async Task A_403_to_a_read_for_a_decision_makes_the_next_call_read_the_users_and_decide_with_the_new_rights()
    {
        var offered = await PipelinesOfferedTo(Gleb);
        Assert.True(offered > 0);
        await TakeAddRightFromGleb();
        await Sandbox.Control.ClearRequestsAsync();
        Assert.Equal(offered, await PipelinesOfferedTo(Gleb)); // within the TTL the cached rights hold…
        Assert.Equal(0, await UsersReads());                   // …and amoCRM is not asked

        // amoCRM refuses the read of the deals Boris wants to copy, once
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "GET", Path = "/api/v4/leads", Kind = "status", Status = 403, Count = 1 });
        var (status, refused) = await Call(HttpMethod.Post, "api/v1/copies", Boris, CopyOf(Reference));
        Assert.True(status == 503, refused.ToJsonString()); // could not be checked: nothing started, repeat later
        Assert.Equal("amo.unavailable", refused["code"]!.GetValue<string>());
        Assert.Single(await Sandbox.Control.RequestsAsync(Account), e => e.Fault is not null && e.Path == "/api/v4/leads");

        await AssertGlebIsRefusedWithHisNewRights();
        Assert.Equal(1, await UsersReads()); // read once again after the 403, long before the TTL
        var job = await Host.PostCopyWithTokenAsync(CopyOf(Reference), await Host.WidgetTokenAsync(userId: Boris)); // Boris's rights did not change
        Assert.Equal("completed", (await Host.WaitJobAsync(job))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_403_to_a_running_jobs_step_parks_the_job_and_makes_the_next_call_read_the_users_again()
    {
        Assert.True(await PipelinesOfferedTo(Gleb) > 0);
        await TakeAddRightFromGleb();
        await Sandbox.Control.ClearRequestsAsync();

        // amoCRM refuses the job's first create (403 JSON, as for missing rights); the job waits for the account and goes on
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "status", Status = 403, Count = 1 });
        var job = await Host.PostCopyWithTokenAsync(CopyOf(Reference), await Host.WidgetTokenAsync(userId: Boris));
        var parked = await Host.WaitJobAsync(job, TimeSpan.FromSeconds(60), "waiting_for_account", "completed");
        Assert.Equal("waiting_for_account", parked["status"]!.GetValue<string>()); // issue 14's status is kept
        Assert.Equal("account.forbidden", parked["last_error"]!["code"]!.GetValue<string>());
        var done = await Host.WaitJobAsync(job, TimeSpan.FromSeconds(60));
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Single(CopiesOf(await DumpAsync(), job)); // once

        await AssertGlebIsRefusedWithHisNewRights();
        var log = await Sandbox.Control.RequestsAsync(Account);
        var refusedAt = log.Single(e => e.Fault is not null).Id;
        Assert.Contains(log, e => e is { Method: "GET", Path: "/api/v4/users" } && e.Id > refusedAt);
    }
}
