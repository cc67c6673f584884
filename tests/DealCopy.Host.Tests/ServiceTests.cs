using System.Net;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>The service around the copies: batching across jobs, CORS for amoCRM pages, health, OpenAPI, the operator API.</summary>
public sealed class ServiceTests : HostTestBase
{
    [Fact]
    public async Task Concurrent_jobs_of_one_account_share_batched_amocrm_calls()
    {
        // warm the account (metadata) so that only the jobs' own calls are counted
        using (var warm = await Host.CallAsync(HttpMethod.Get, "api/v1/meta")) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        var dump = await DumpAsync();
        var sources = Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales).Select(l => l["id"]!.GetValue<long>()).Take(12).ToList();
        await Sandbox.Control.ClearRequestsAsync();
        // creates take amoCRM's slow second and a half: while the gateway's two slots are busy the other jobs'
        // creates wait in its queue, as they do at amoCRM's real latency; packing them is what is measured, not
        // whether twelve jobs happened to reach the gateway within one millisecond on a loaded machine
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 1500 });

        var ids = await Task.WhenAll(sources.Select(s => StartCopyAsync(new { lead_ids = new[] { s }, target = new { pipeline_id = Repeat }, copy = new { products = false } })));
        foreach (var id in ids) Assert.Equal("completed", (await Host.WaitJobAsync(id))["status"]!.GetValue<string>());

        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        var creates = log.Count(e => e.Method == "POST" && e.Path == "/api/v4/leads");
        Assert.True(creates < sources.Count / 2, $"{creates} create calls for {sources.Count} one-deal jobs: pending creates of different jobs were not packed");
        var after = await DumpAsync();
        Assert.Equal(sources.Count, ids.Sum(id => CopiesOf(after, id).Count));
    }

    [Fact]
    public async Task Amocrm_pages_may_call_the_api_from_the_browser_and_other_sites_may_not()
    {
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "api/v1/copies");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "x-auth-token,content-type");
            return await Host.Http.SendAsync(request);
        }

        using var amo = await Preflight("https://dealcopy-demo.amocrm.ru");
        Assert.Equal("https://dealcopy-demo.amocrm.ru", amo.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-auth-token", string.Join(",", amo.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant());
        using var kommo = await Preflight("https://acme.kommo.com");
        Assert.True(kommo.Headers.Contains("Access-Control-Allow-Origin"));
        using var evil = await Preflight("https://amocrm.ru.evil.example");
        Assert.False(evil.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Health_and_the_openapi_document_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.GetAsync("healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.GetAsync("healthz/ready")).StatusCode);
        var openapi = JsonNode.Parse(await Host.Http.GetStringAsync("openapi/v1.json"))!;
        var paths = openapi["paths"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Contains("/api/v1/copies", paths);
        Assert.Contains("/api/v1/copies/{id}", paths);
        Assert.Contains("/api/v1/copies/preview", paths);
        Assert.Contains("/api/v1/meta", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_operator_api_needs_its_token_and_installs_accounts()
    {
        using (var anonymous = await Host.Http.GetAsync($"admin/v1/accounts/{Sandbox.DemoAccountId}"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"admin/v1/accounts/{Sandbox.DemoAccountId}");
        request.Headers.Authorization = new("Bearer", TestHost.AdminToken);
        using var ok = await Host.Http.SendAsync(request);
        var status = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
        Assert.True(status["installed"]!.GetValue<bool>());
        Assert.Equal("dealcopy-demo", status["subdomain"]!.GetValue<string>());

        using var bad = new HttpRequestMessage(HttpMethod.Post, "admin/v1/accounts") { Content = new StringContent("""{"account_id":0,"referer":"nope"}""", System.Text.Encoding.UTF8, "application/json") };
        bad.Headers.Authorization = new("Bearer", TestHost.AdminToken);
        using var refused = await Host.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Equal(["access_token", "account_id", "referer"], errors);
    }

    [Fact]
    public async Task The_journal_holds_tokens_only_sealed()
    {
        await Host.StopAsync();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(DataPath, "journal.db"));
        var wal = Path.Combine(DataPath, "journal.db-wal");
        if (File.Exists(wal)) bytes = [.. bytes, .. await File.ReadAllBytesAsync(wal)];
        Assert.True(bytes.Length > 0);
        Assert.DoesNotContain(Sandbox.DemoToken, System.Text.Encoding.UTF8.GetString(bytes));
        Host = await TestHost.StartAsync(Sandbox, DataPath); // and after a restart the account still works with them
        using var meta = await Host.CallAsync(HttpMethod.Get, "api/v1/meta");
        Assert.Equal(HttpStatusCode.OK, meta.StatusCode);
    }
}
