using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>The control API's reset, faults, control key and the hooks amoCRM sends (docs/SANDBOX.md): each test changes sandbox-wide state, so each has its own sandbox.</summary>
public sealed class ControlApiTests
{
    [Fact, Trait("sandbox-md", "control API")]
    public async Task Reset_forgets_everything_and_reseeds_the_demo_account()
    {
        await using var amo = await Amo.StartAsync();
        var seeded = await amo.LeadCount();
        await amo.CreateLead(new JsonObject { ["name"] = "Before reset" });
        await amo.Control.AdvanceClockAsync(86400 * 10);
        await amo.Control.AddFaultAsync(new FaultRule { Path = "/api/v4/account", Kind = "status", Status = 500 });

        await amo.Control.ResetAsync();

        Assert.Equal(seeded, await amo.LeadCount());
        Assert.Equal(204, (await amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString("Before reset"))).Code);
        Assert.Equal(200, (await amo.Get("api/v4/account")).Code);
        var now = await amo.Control.AdvanceClockAsync(0); // the clock offset is gone too
        Assert.InRange(now, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task A_latency_fault_delays_the_answer_and_then_does_the_work()
    {
        await using var amo = await Amo.StartAsync();
        await amo.Control.AddFaultAsync(new FaultRule { Method = "GET", Path = "/api/v4/account", Kind = "latency", LatencyMs = 300, Count = 1 });

        var watch = Stopwatch.StartNew();
        var answer = await amo.Get("api/v4/account");

        Assert.Equal(200, answer.Code);
        Assert.True(watch.ElapsedMilliseconds >= 300, $"answered after {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        Assert.Equal(200, (await amo.Get("api/v4/account")).Code);
    }

    [Theory, Trait("api-notes", "§3")]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(504)]
    public async Task A_status_fault_answers_amoCRMs_body_without_doing_the_work(int status)
    {
        await using var amo = await Amo.StartAsync();
        var before = await amo.LeadCount();
        await amo.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "status", Status = status, RetryAfter = 3, Count = 1 });

        var answer = await amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["name"] = "Faulted" }));

        var problem = Problem.Assert(answer, status);
        if (status == 429) Assert.Equal(3, problem["retry_after"]!.GetValue<int>());
        if (status == 500) Assert.NotNull(problem["trace_id"]);
        Assert.Equal(before, await amo.LeadCount());
        // count = 1: the next request goes through.
        Assert.Equal(200, (await amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["name"] = "Through" }))).Code);
        Assert.Equal("status", (await amo.Control.RequestsAsync(amo.AccountId)).First(e => e.Method == "POST").Fault);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task A_timeout_fault_holds_the_request_until_the_client_gives_up()
    {
        await using var amo = await Amo.StartAsync(o => o.TimeoutFaultSeconds = 20);
        await amo.Control.AddFaultAsync(new FaultRule { Method = "GET", Path = "/api/v4/leads/pipelines", Kind = "timeout", Count = 1 });
        using var impatient = amo.ClientWith(amo.Server.DemoToken, TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync("api/v4/leads/pipelines"));

        Assert.Equal(200, (await amo.Get("api/v4/leads/pipelines")).Code);
    }

    [Fact, Trait("api-notes", "§1.3")]
    public async Task A_lost_response_fault_commits_the_write_but_the_client_sees_a_dropped_connection()
    {
        await using var amo = await Amo.StartAsync();
        await amo.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "lost_response", Count = 1 });
        var name = "Lost answer " + Guid.NewGuid().ToString("N");

        await Assert.ThrowsAsync<HttpRequestException>(() => amo.Http.PostAsync("api/v4/leads",
            new StringContent(new JsonArray(new JsonObject { ["name"] = name }).ToJsonString(), Encoding.UTF8, "application/json")));

        var found = await amo.Get("api/v4/leads?filter[name]=" + Uri.EscapeDataString(name));
        Assert.Equal(200, found.Code);
        Assert.Single(found.Embedded("leads"));
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task An_html_fault_answers_an_HTML_page_with_the_status()
    {
        await using var amo = await Amo.StartAsync();
        await amo.Control.AddFaultAsync(new FaultRule { Path = "/api/v4/leads*", Kind = "html", Status = 502, Count = 1 });

        var answer = await amo.Get("api/v4/leads/pipelines");

        Assert.Equal(502, answer.Code);
        Assert.Equal("text/html", answer.MediaType);
        Assert.Equal(200, (await amo.Get("api/v4/leads/pipelines")).Code);
    }

    [Fact, Trait("sandbox-md", "control API")]
    public async Task With_a_control_key_the_control_API_needs_the_X_Sandbox_Key_header()
    {
        await using var amo = await Amo.StartAsync(o => o.ControlKey = "let-me-in");
        using var anonymous = new HttpClient { BaseAddress = amo.Server.BaseAddress };

        Problem.Assert(await anonymous.Call(HttpMethod.Get, "_sandbox/clock"), 403);

        // The typed client carries the key.
        Assert.True(await amo.Control.AdvanceClockAsync(0) > 0);
    }

    [Fact, Trait("sandbox-md", "control API")]
    public async Task Cleared_faults_no_longer_apply()
    {
        await using var amo = await Amo.StartAsync();
        await amo.Control.AddFaultAsync(new FaultRule { Path = "/api/v4/account", Kind = "status", Status = 500 });
        Assert.Equal(500, (await amo.Get("api/v4/account")).Code);

        await amo.Control.ClearFaultsAsync();

        Assert.Equal(200, (await amo.Get("api/v4/account")).Code);
    }

    [Fact, Trait("api-notes", "§17.1")]
    public async Task Moving_leads_into_a_trigger_stage_posts_the_DP_hook_form_encoded_with_bracket_keys()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await using var amo = await Amo.StartAsync();
        var main = (await amo.PipelinesAsync()).Main;
        var (pipeline, stage) = (Pipelines.Id(main), Pipelines.Regular(main)[2]);
        var lead = await amo.CreateLead(new JsonObject { ["name"] = "DP" });
        await amo.Control.SetDpTriggersAsync(amo.AccountId, new JsonArray(new JsonObject
        {
            ["pipeline_id"] = pipeline, ["status_id"] = stage, ["url"] = receiver.Url("amo/dp"),
            ["settings"] = new JsonObject { ["key"] = "per-account-secret", ["template"] = "repeat" },
        }));

        var moved = await amo.Control.MoveLeadsAsync(amo.AccountId, [lead], pipeline, stage);

        Assert.Equal(200, moved["deliveries"]![0]!["status"]!.GetValue<int>());
        var hook = await receiver.NextAsync();
        Assert.Equal("POST", hook.Method);
        Assert.Equal("/amo/dp", hook.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", hook.ContentType, StringComparison.Ordinal);
        Assert.Contains("event%5Btype%5D=14", hook.Body, StringComparison.Ordinal);
        Assert.Equal("14", hook.Form["event[type]"]);
        Assert.Equal("lead_status_changed", hook.Form["event[type_code]"]);
        Assert.Equal(lead.ToString(CultureInfo.InvariantCulture), hook.Form["event[data][id]"]);
        Assert.Equal("2", hook.Form["event[data][element_type]"]);
        Assert.Equal("went_to_trigger", hook.Form["event[data][direction_of_movement]"]);
        Assert.Equal(pipeline.ToString(CultureInfo.InvariantCulture), hook.Form["event[data][pipeline_id]"]);
        Assert.Equal(stage.ToString(CultureInfo.InvariantCulture), hook.Form["event[data][status_id]"]);
        Assert.True(long.Parse(hook.Form["event[time]"], CultureInfo.InvariantCulture) > 1_700_000_000);
        Assert.Equal("per-account-secret", hook.Form["action[settings][widget][settings][key]"]);
        Assert.Equal("repeat", hook.Form["action[settings][widget][settings][template]"]);
        Assert.Equal("dealcopy-demo", hook.Form["subdomain"]);
        Assert.Equal(amo.AccountId.ToString(CultureInfo.InvariantCulture), hook.Form["account_id"]);
        Assert.Equal(stage, (await amo.Get($"api/v4/leads/{lead}")).Object["status_id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§17.1")]
    public async Task Creating_a_lead_through_the_API_in_a_trigger_stage_posts_the_DP_hook()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await using var amo = await Amo.StartAsync();
        var main = (await amo.PipelinesAsync()).Main;
        var (pipeline, stage) = (Pipelines.Id(main), Pipelines.Regular(main)[1]);
        await amo.Control.SetDpTriggersAsync(amo.AccountId, new JsonArray(new JsonObject
        {
            ["pipeline_id"] = pipeline, ["status_id"] = stage, ["url"] = receiver.Url("amo/dp"), ["settings"] = new JsonObject { ["key"] = "k" },
        }));

        var lead = await amo.CreateLead(new JsonObject { ["name"] = "Born in trigger", ["pipeline_id"] = pipeline, ["status_id"] = stage });

        var hook = await receiver.NextAsync();
        Assert.Equal(lead.ToString(CultureInfo.InvariantCulture), hook.Form["event[data][id]"]);
        Assert.Equal("k", hook.Form["action[settings][widget][settings][key]"]);
        Assert.Equal("went_to_trigger", hook.Form["event[data][direction_of_movement]"]);
        Assert.Equal("14", hook.Form["event[type]"]);
        var deliveries = await Eventually.Until(async () =>
        {
            var d = await amo.Control.DpDeliveriesAsync(amo.AccountId);
            return d.Count > 0 && d[0]!["status"] is not null ? d : null;
        }, what: "the delivery is recorded");
        Assert.Equal(200, deliveries[0]!["status"]!.GetValue<int>());
    }

    [Fact, Trait("api-notes", "§1.4")]
    public async Task The_install_hook_calls_the_redirect_uri_with_a_code_that_exchanges_for_tokens()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var redirectUri = receiver.Url("oauth/callback");
        await using var amo = await Amo.StartAsync(o => o.RedirectUri = redirectUri);
        var options = amo.Server.Options;

        var install = await amo.Control.InstallAsync(amo.AccountId, state: "st-1");

        Assert.Equal(200, install["status"]!.GetValue<int>());
        var hook = await receiver.NextAsync();
        Assert.Equal("GET", hook.Method);
        Assert.Equal("/oauth/callback", hook.Path);
        Assert.Equal(install["code"]!.GetValue<string>(), hook.Query["code"]);
        Assert.Equal("dealcopy-demo.amocrm.ru", hook.Query["referer"]);
        Assert.Equal("1", hook.Query["from_widget"]);
        Assert.Equal("1", hook.Query["platform"]);
        Assert.Equal("st-1", hook.Query["state"]);
        var tokens = await amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", new JsonObject
        {
            ["client_id"] = options.ClientId, ["client_secret"] = options.ClientSecret, ["grant_type"] = "authorization_code",
            ["code"] = hook.Query["code"], ["redirect_uri"] = redirectUri,
        });
        Assert.Equal(200, tokens.Code);
        Assert.Equal(200, (await amo.ClientWith(tokens.Object["access_token"]!.GetValue<string>()).Call(HttpMethod.Get, "api/v4/account")).Code);
    }

    [Fact, Trait("api-notes", "§1.6")]
    public async Task The_disconnect_hook_is_signed_with_the_client_secret_and_the_tokens_are_revoked()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await using var amo = await Amo.StartAsync();
        var options = amo.Server.Options;
        var code = await amo.Control.IssueAuthCodeAsync(amo.AccountId);
        var tokens = await amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", new JsonObject
        {
            ["client_id"] = options.ClientId, ["client_secret"] = options.ClientSecret, ["grant_type"] = "authorization_code",
            ["code"] = code, ["redirect_uri"] = options.RedirectUri,
        });
        var access = amo.ClientWith(tokens.Object["access_token"]!.GetValue<string>());
        Assert.Equal(200, (await access.Call(HttpMethod.Get, "api/v4/account")).Code);

        await amo.Control.DisconnectAsync(amo.AccountId, receiver.Url("amo/disconnect"));

        var hook = await receiver.NextAsync();
        Assert.Equal("GET", hook.Method);
        Assert.Equal(options.ClientId, hook.Query["client_uuid"]);
        Assert.Equal(amo.AccountId.ToString(CultureInfo.InvariantCulture), hook.Query["account_id"]);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.ClientSecret),
            Encoding.UTF8.GetBytes($"{hook.Query["client_uuid"]}|{hook.Query["account_id"]}")));
        Assert.Equal(signature, hook.Query["signature"]);
        Problem.Assert(await access.Call(HttpMethod.Get, "api/v4/account"), 401);
    }
}
