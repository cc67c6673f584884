using System.Net;
using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>Only amoCRM's widget token opens the API, only for its own account; bad input changes nothing.</summary>
public sealed class AuthAndBadInputTests : HostTestBase
{
    private async Task<(HttpStatusCode Status, JsonObject Body, string? ContentType)> GetMetaWith(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/meta");
        if (token is not null) request.Headers.Add("X-Auth-Token", token);
        using var r = await Host.Http.SendAsync(request);
        return (r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject(), r.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string, JsonObject> BadTokens => new()
    {
        { "forged signature", new JsonObject { ["signing_key"] = "somebody-elses-secret-0123456789-0123456789" } },
        { "expired", new JsonObject { ["lifetime_seconds"] = -600 } },
        { "wrong audience", new JsonObject { ["audience"] = "https://evil.example" } },
        { "another integration", new JsonObject { ["client_uuid"] = "00000000-0000-0000-0000-000000000000" } },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_widget_token_is_refused_with_401(string why, JsonObject overrides)
    {
        var token = await Sandbox.Control.WidgetTokenAsync(Sandbox.DemoAccountId, Boris, overrides);
        var (status, body, type) = await GetMetaWith(token);
        Assert.True(status == HttpStatusCode.Unauthorized, why);
        Assert.Equal("application/problem+json", type);
        Assert.False(string.IsNullOrEmpty(body["detail"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_missing_or_garbage_token_is_refused_with_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMetaWith(null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMetaWith("not-a-jwt")).Status);
    }

    [Fact]
    public async Task A_replayed_token_is_refused()
    {
        var token = await Host.WidgetTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetMetaWith(token)).Status);
        var (status, body, _) = await GetMetaWith(token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("replay", body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_used_before_a_restart_is_still_refused_after_it_and_one_minted_before_it_but_unused_works()
    {
        // issued 30 s ago, within the 60 s clock skew: the remaining window of a memory that starts at the wake
        var issued = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30;
        var token = await Sandbox.Control.WidgetTokenAsync(Sandbox.DemoAccountId, Boris, new JsonObject { ["issued_at"] = issued });
        var unused = await Sandbox.Control.WidgetTokenAsync(Sandbox.DemoAccountId, Boris, new JsonObject { ["issued_at"] = issued - 60 });
        Assert.Equal(HttpStatusCode.OK, (await GetMetaWith(token)).Status);

        // the node restarts: the used token ids come back from the journal
        await Host.StopAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath);

        var (status, body, _) = await GetMetaWith(token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("auth.token_replayed", body["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await GetMetaWith(unused)).Status); // older than the restart, but never used: fine
        Assert.Equal(HttpStatusCode.OK, (await GetMetaWith(await Host.WidgetTokenAsync())).Status);
    }

    [Fact]
    public async Task A_token_used_before_the_account_idled_is_refused_when_it_wakes()
    {
        await Host.StopAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath, overrides: new Dictionary<string, string?> { ["Akka:AccountIdleSeconds"] = "1" });
        var token = await Host.WidgetTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetMetaWith(token)).Status);
        await Poll.UntilAsync(() => Host.HoldsAccountAsync(Sandbox.DemoAccountId), awake => !awake, TimeSpan.FromSeconds(30), _ => "the account never idled");

        var (status, body, _) = await GetMetaWith(token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("auth.token_replayed", body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_account_that_is_not_installed_is_refused()
    {
        var other = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = "stranger" });
        var token = await Sandbox.Control.WidgetTokenAsync(other["id"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMetaWith(token)).Status);
    }

    [Fact]
    public async Task A_token_for_account_B_can_neither_read_nor_copy_account_A()
    {
        var b = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = "other-company", ["demo"] = true, ["lead_count"] = 3 });
        var accountB = b["id"]!.GetValue<long>();
        await Host.InstallAsync(accountB, "other-company.amocrm.ru", b["admin_token"]!.GetValue<string>());
        var jobA = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } });

        using (var read = await Host.CallAsync(HttpMethod.Get, $"api/v1/copies/{jobA["id"]}", accountId: accountB))
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using (var undo = await Host.CallAsync(HttpMethod.Post, $"api/v1/copies/{jobA["id"]}/undo", accountId: accountB))
            Assert.Equal(HttpStatusCode.NotFound, undo.StatusCode);
        var pipelineOfB = (await DumpAsync(accountB))["pipelines"]![0]!["id"]!.GetValue<long>();
        var (status, body) = await Host.PostCopyAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = pipelineOfB } }, accountB);
        Assert.Equal(404, status); // A's deal does not exist in B
        Assert.Contains("lead_ids[0]", body["errors"]!.AsObject().Select(kv => kv.Key));
        Assert.Single(CopiesOf(await DumpAsync(), jobA["id"]!.GetValue<string>()));
        await AssertPacedAsync(accountB);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "no lead ids", """{"target":{"pipeline_id":7100002}}""", "lead_ids" },
        { "a lead id that is not a number", """{"lead_ids":["x"],"target":{"pipeline_id":7100002}}""", "lead_ids[0]" },
        { "a lead listed twice", """{"lead_ids":[20000001,20000001],"target":{"pipeline_id":7100002}}""", "lead_ids[1]" },
        { "too many copies", """{"lead_ids":[20000001],"copies":51,"target":{"pipeline_id":7100002}}""", "copies" },
        { "no target", """{"lead_ids":[20000001]}""", "target" },
        { "fixed without a user", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"responsible":{"mode":"fixed"}}""", "responsible.user_ids" },
        { "an unknown placeholder", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"name_template":"{title}"}""", "name_template" },
        { "an unknown field", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"colour":"red"}""", "colour" },
        { "move without a stage", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"original":{"action":"move"}}""", "original.status_id" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_copy_request_is_a_400_naming_the_field_and_starts_nothing(string why, string json, string field)
    {
        var (status, body) = await Host.PostCopyAsync(JsonNode.Parse(json)!);
        Assert.True(status == 400, $"{why}: {status}");
        Assert.Contains(field, body["errors"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("request.invalid", body["code"]!.GetValue<string>());
        Assert.Contains(body["refusals"]!.AsArray(), r => r!["field"]!.GetValue<string>() == field && r["code"]!.GetValue<string>().StartsWith("request.", StringComparison.Ordinal));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/copies") { Content = new StringContent("{lead_ids: oops", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Auth-Token", await Host.WidgetTokenAsync());
        using var r = await Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await r.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string, int, string, string> Refused => new()
    {
        { "a deal that does not exist", """{"lead_ids":[20000001,99999999],"target":{"pipeline_id":7100002}}""", 404, "lead_ids[1]", "deal.not_found" },
        { "a pipeline that does not exist", """{"lead_ids":[20000001],"target":{"pipeline_id":1}}""", 422, "target.pipeline_id", "pipeline.not_found" },
        { "an archived pipeline", """{"lead_ids":[20000001],"target":{"pipeline_id":7100004}}""", 422, "target.pipeline_id", "pipeline.archived" },
        { "the Unsorted stage", """{"lead_ids":[20000001],"target":{"pipeline_id":7100001,"status_id":61000001}}""", 422, "target.status_id", "stage.unsorted" },
        { "a stage of another pipeline", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002,"status_id":61000002}}""", 422, "target.status_id", "stage.not_found" },
        { "an inactive user", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"responsible":{"mode":"fixed","user_ids":[5000005]}}""", 422, "responsible.user_ids[0]", "user.inactive" },
        { "an unknown user", """{"lead_ids":[20000001],"target":{"pipeline_id":7100002},"responsible":{"mode":"round_robin","user_ids":[5000002,42]}}""", 422, "responsible.user_ids[1]", "user.not_found" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_request_that_does_not_fit_the_account_is_refused_naming_the_field_and_its_code_and_starts_nothing(string why, string json, int expected, string field, string code)
    {
        var (status, body) = await Host.PostCopyAsync(JsonNode.Parse(json)!);
        Assert.True(status == expected, $"{why}: {status} {body.ToJsonString()}");
        Assert.Contains(field, body["errors"]!.AsObject().Select(kv => kv.Key));
        var refusal = Assert.Single(body["refusals"]!.AsArray(), r => r!["field"]!.GetValue<string>() == field);
        Assert.Equal(code, refusal!["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["code"]?.GetValue<string>()), "the answer has a top-level code");
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task An_unknown_job_is_404_and_undo_of_a_running_job_is_409()
    {
        using (var r = await Host.CallAsync(HttpMethod.Get, "api/v1/copies/0123456789abcdef0123456789abcdef"))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        await Sandbox.Control.AddFaultAsync(new AmoSandbox.Platform.FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 1500, Count = 1 });
        var id = await StartCopyAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } });
        using (var r = await Host.CallAsync(HttpMethod.Post, $"api/v1/copies/{id}/undo"))
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        await Host.WaitJobAsync(id);
    }

    /// <summary>Refused requests never reach amoCRM with a write.</summary>
    private async Task AssertNothingWrittenAsync()
    {
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.DoesNotContain(log, e => e.Method is "POST" or "PATCH" && e.Path.StartsWith("/api/v4/leads", StringComparison.Ordinal) && e.Path != "/api/v4/leads/custom_fields");
    }
}
