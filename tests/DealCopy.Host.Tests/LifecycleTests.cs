using System.Net;
using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DealCopy.Host.Tests;

/// <summary>Install through amoCRM's redirect, and disconnect through its signed hook.</summary>
public sealed class LifecycleTests : HostTestBase
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? JobClock => _clock;

    private async Task<HttpStatusCode> MetaStatusAsync(long accountId)
    {
        using var r = await Host.CallAsync(HttpMethod.Get, "api/v1/meta", accountId: accountId);
        return r.StatusCode;
    }

    [Fact]
    public async Task Enabling_the_widget_in_amocrm_installs_the_account_with_no_other_step()
    {
        var account = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = "newcomer", ["demo"] = true, ["lead_count"] = 3 });
        var id = account["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Unauthorized, await MetaStatusAsync(id));

        // amoCRM calls the redirect URI once with a code (3 s, no retry, status not checked)
        var hook = await Sandbox.Control.InstallAsync(id, new Uri(Host.BaseAddress, "oauth/callback").ToString());
        Assert.Equal(200, hook["status"]!.GetValue<int>());

        await Poll.UntilAsync(() => MetaStatusAsync(id), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(20), s => $"the account did not become usable after the install hook ({s})");
        var lead = Leads(await DumpAsync(id)).First()["id"]!.GetValue<long>();
        var pipeline = (await DumpAsync(id))["pipelines"]![1]!["id"]!.GetValue<long>();
        var (status, job) = await Host.PostCopyAsync(new { lead_ids = new[] { lead }, target = new { pipeline_id = pipeline } }, id);
        Assert.Equal(202, status);
        Assert.Single(CopiesOf(await WaitCopiesAsync(id, job["id"]!.GetValue<string>()), job["id"]!.GetValue<string>()));
        await AssertPacedAsync(id);
    }

    private Task<JsonObject> WaitCopiesAsync(long accountId, string jobId) =>
        Poll.UntilAsync(() => DumpAsync(accountId), dump => CopiesOf(dump, jobId).Count > 0, TimeSpan.FromSeconds(30), _ => "no copy appeared");

    [Fact]
    public async Task An_install_redirect_with_a_forged_state_or_without_a_code_is_refused()
    {
        using (var forged = await Host.Http.GetAsync("oauth/callback?code=abc&referer=dealcopy-demo.amocrm.ru&state=nonce.0000"))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var nocode = await Host.Http.GetAsync("oauth/callback?referer=dealcopy-demo.amocrm.ru"))
            Assert.Equal(HttpStatusCode.BadRequest, nocode.StatusCode);
        using (var denied = await Host.Http.GetAsync("oauth/callback?error=access_denied&client_id=x"))
            Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
    }

    [Fact]
    public async Task A_disconnect_with_a_bad_signature_changes_nothing()
    {
        var url = $"hooks/disconnect?client_uuid={Sandbox.Options.ClientId}&account_id={Sandbox.DemoAccountId}&signature=" + new string('0', 64);
        using var r = await Host.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MetaStatusAsync(Sandbox.DemoAccountId));
    }

    [Fact]
    public async Task After_a_signed_disconnect_calls_and_hooks_are_refused_and_delayed_repeat_deals_cancelled()
    {
        // a repeat deal due tomorrow
        var key = await Host.DpKeyAsync();
        var rule = """{"v":1,"target":{"pipeline_id":7100002},"delay_minutes":1440}""";
        var lead = Leads(await DumpAsync()).First(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == SalesTalks)["id"]!.GetValue<long>();
        await Sandbox.Control.MoveLeadsAsync(Sandbox.DemoAccountId, [lead], Sales, 142);
        var hook = new JsonObject { ["lead_id"] = lead, ["url"] = new Uri(Host.BaseAddress, "hooks/dp").ToString(), ["settings"] = new JsonObject { ["key"] = key, ["rule"] = rule } };
        Assert.Equal(200, (await Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, (JsonObject)hook.DeepClone()))["status"]!.GetValue<int>());

        var disconnect = await Sandbox.Control.DisconnectAsync(Sandbox.DemoAccountId, new Uri(Host.BaseAddress, "hooks/disconnect").ToString());
        Assert.Equal(200, disconnect["status"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.Unauthorized, await MetaStatusAsync(Sandbox.DemoAccountId));
        hook["event_time"] = 1_790_000_123;
        Assert.Equal(401, (await Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, hook))["status"]!.GetValue<int>());
        _clock.Advance(TimeSpan.FromDays(2));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"admin/v1/accounts/{Sandbox.DemoAccountId}");
        request.Headers.Authorization = new("Bearer", TestHost.AdminToken);
        var status = JsonNode.Parse(await (await Host.Http.SendAsync(request)).Content.ReadAsStringAsync())!;
        Assert.False(status["installed"]!.GetValue<bool>());
        Assert.Equal(0, status["running_jobs"]!.GetValue<int>());
        Assert.DoesNotContain(Leads(await DumpAsync()), l => Marker(l) is not null);
    }
}
