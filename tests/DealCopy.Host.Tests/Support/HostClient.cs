using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// What tests do with a running Host over HTTP (widget API with fresh widget tokens, operator API), whether the
/// Host runs in the test process (<see cref="TestHost"/>) or as a process of its own (<see cref="ProcessNode"/>).
/// </summary>
public abstract class HostClient
{
    public const string AdminToken = "test-admin-token";

    protected HostClient(AmoSandboxServer sandbox, Uri baseAddress)
    {
        Sandbox = sandbox;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public AmoSandboxServer Sandbox { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    /// <summary>The settings every test Host runs with: the sandbox as amoCRM, test secrets, the journal.</summary>
    protected static readonly bool ScanLogs = Environment.GetEnvironmentVariable("DEALCOPY_TEST_LOGS") is { Length: > 0 };

    public static Dictionary<string, string?> Settings(AmoSandboxServer sandbox, string dataPath, string? postgres)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Amo:ClientId"] = sandbox.Options.ClientId,
            ["Amo:ClientSecret"] = sandbox.Options.ClientSecret,
            ["Amo:RedirectUri"] = sandbox.Options.RedirectUri,
            ["Amo:BaseUrl"] = sandbox.BaseAddress.ToString(),
            ["Amo:RequestsPerSecond"] = sandbox.Options.RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Security:TokenEncryptionKey"] = "test-token-encryption-key-0123456789",
            ["Security:DpKeySecret"] = "test-dp-key-secret",
            ["Admin:Token"] = AdminToken,
            ["Data:Path"] = dataPath,
            ["Akka:AskTimeoutSeconds"] = "20",
            // under ./test.sh every line goes to artifacts/logs as well, for the secrets scan (DealCopy.Secrets.Tests)
            ["Serilog:MinimumLevel:Default"] = ScanLogs ? "Information" : "Warning",
        };
        if (postgres is not null)
        {
            settings["Journal:Provider"] = "PostgreSQL";
            settings["Journal:ConnectionString"] = postgres;
        }
        return settings;
    }

    protected Task WaitReadyAsync(TimeSpan? within = null) =>
        Poll.UntilAsync(async () =>
        {
            try
            {
                using var r = await Http.GetAsync("healthz/ready");
                return (IsSuccessStatusCode: r.IsSuccessStatusCode, Body: await r.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException e)
            {
                return (IsSuccessStatusCode: false, Body: e.Message); // not listening yet
            }
        }, r => r.IsSuccessStatusCode, within ?? TimeSpan.FromSeconds(30), r => "the Host did not become ready: " + r.Body);

    /// <summary>Installs an account the way an operator would (long-lived token through the admin API).</summary>
    public async Task InstallAsync(long accountId, string referer, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "admin/v1/accounts")
        {
            Content = JsonContent.Create(new { account_id = accountId, referer, access_token = token }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"install failed: {(int)response.StatusCode} {body}");
    }

    public Task InstallDemoAsync() => InstallAsync(Sandbox.DemoAccountId, "dealcopy-demo.amocrm.ru", Sandbox.DemoToken);

    /// <summary>A fresh disposable widget token, as amoCRM's frontend adds to each call.</summary>
    /// <remarks>In the demo account the caller is a manager (Борис); in other accounts, their admin.</remarks>
    public Task<string> WidgetTokenAsync(long? accountId = null, long? userId = null) =>
        Sandbox.Control.WidgetTokenAsync(accountId ?? Sandbox.DemoAccountId, userId ?? (accountId is null || accountId == Sandbox.DemoAccountId ? 5000002 : null));

    public async Task<HttpResponseMessage> CallAsync(HttpMethod method, string path, object? body = null, string? token = null, long? accountId = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body is JsonNode n ? n.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        request.Headers.Add("X-Auth-Token", token ?? await WidgetTokenAsync(accountId));
        return await Http.SendAsync(request);
    }

    /// <summary>The account's Digital Pipeline key as its admin reads it (only admins may: docs/API.md "Rights").</summary>
    public async Task<string> DpKeyAsync(long? accountId = null)
    {
        var admin = accountId is null || accountId == Sandbox.DemoAccountId ? 5000001 : (long?)null; // elsewhere the token's user is the admin
        using var r = await CallAsync(HttpMethod.Get, "api/v1/dp/key", token: await WidgetTokenAsync(accountId, admin));
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"dp key: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!["key"]!.GetValue<string>();
    }

    public async Task<(int Status, JsonObject Body)> PostCopyAsync(object body, long? accountId = null)
    {
        using var r = await CallAsync(HttpMethod.Post, "api/v1/copies", body, accountId: accountId);
        return ((int)r.StatusCode, (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    /// <summary>Starts a copy as the user of <paramref name="token"/>; returns the job id (asserts 202).</summary>
    public async Task<string> PostCopyWithTokenAsync(object body, string token)
    {
        using var r = await CallAsync(HttpMethod.Post, "api/v1/copies", body, token: token);
        var text = await r.Content.ReadAsStringAsync();
        if ((int)r.StatusCode != 202) throw new InvalidOperationException($"copy: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> JobAsync(string id, long? accountId = null)
    {
        using var r = await CallAsync(HttpMethod.Get, $"api/v1/copies/{id}", accountId: accountId);
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"job {id}: {(int)r.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    /// <summary>A GET of the operator API (<c>admin/v1/...</c>), as JSON.</summary>
    public async Task<JsonNode> AdminGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/v1/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"admin/v1/{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Whether the account's entity lives on this node (the operator's sharding view).</summary>
    public Task<bool> HoldsAccountAsync(long accountId) => SandboxChecks.AccountAwakeAsync(Http, AdminToken, accountId);

    /// <summary>Polls the job until it reaches one of <paramref name="statuses"/> (with a deadline).</summary>
    public Task<JsonObject> WaitJobAsync(string id, TimeSpan? within = null, params string[] statuses)
    {
        statuses = statuses.Length == 0 ? ["completed", "completed_with_errors", "failed"] : statuses;
        return Poll.UntilAsync(() => PollJobAsync(id), job => statuses.Contains(job["status"]!.GetValue<string>()), within ?? TimeSpan.FromSeconds(60),
            job => $"job {id} is still {job["status"]} after the deadline: {job.ToJsonString()}");
    }

    /// <summary>
    /// The job as a polling widget sees it: viewing a job checks the caller's rights, which may need amoCRM; when
    /// amoCRM cannot be asked (502/503, "repeat the request") the widget asks again, and so does this (a status
    /// "unknown" that no wait accepts).
    /// </summary>
    public async Task<JsonObject> PollJobAsync(string id, long? accountId = null)
    {
        using var r = await CallAsync(HttpMethod.Get, $"api/v1/copies/{id}", accountId: accountId);
        var text = await r.Content.ReadAsStringAsync();
        if ((int)r.StatusCode is 502 or 503) return new JsonObject { ["status"] = "unknown", ["done"] = -1, ["answer"] = text };
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"job {id}: {(int)r.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }
}
