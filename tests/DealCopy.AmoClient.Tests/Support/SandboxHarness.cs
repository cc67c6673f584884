using System.Net.Http.Headers;
using System.Text;
using DealCopy.AmoClient.OAuth;
using DealCopy.AmoSandbox;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Tests.Support;

/// <summary>
/// An in-process sandbox plus a client wired to it over real HTTP. The demo account is authorized with its
/// long-lived token; <see cref="Control"/> drives the sandbox's /_sandbox API (faults, clock, codes, request log).
/// </summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private readonly HttpClient _http;

    private SandboxHarness(AmoSandboxServer sandbox, HttpClient http, AmoClient client, InMemoryAmoTokenStore store, RecordingHandler recorder)
    {
        Sandbox = sandbox;
        _http = http;
        Client = client;
        Store = store;
        Recorder = recorder;
        Control = new SandboxControl(sandbox.BaseAddress);
        DemoAccount = new AmoAccount(sandbox.DemoAccountId, sandbox.BaseAddress);
        Api = client.ForAccount(DemoAccount);
    }

    public AmoSandboxServer Sandbox { get; }
    public AmoClient Client { get; }
    public InMemoryAmoTokenStore Store { get; }
    public RecordingHandler Recorder { get; }
    public SandboxControl Control { get; }
    public AmoAccount DemoAccount { get; }
    /// <summary>The demo account's API, authorized with the demo long-lived token.</summary>
    public AmoAccountClient Api { get; }
    public long AccountId => Sandbox.DemoAccountId;

    /// <summary>
    /// Starts a sandbox (no rate limit unless a test sets one: pacing is not the client's job) and a client for it.
    /// </summary>
    public static async Task<SandboxHarness> StartAsync(
        Action<SandboxOptions>? sandbox = null, Action<AmoClientOptions>? client = null, TimeProvider? time = null, IAmoRequestGate? gate = null)
    {
        var server = await AmoSandboxServer.StartAsync(o =>
        {
            o.RequestsPerSecond = 10_000;
            o.TimeoutFaultSeconds = 30;
            sandbox?.Invoke(o);
        });
        var options = new AmoClientOptions
        {
            ClientId = server.Options.ClientId,
            ClientSecret = server.Options.ClientSecret,
            RedirectUri = server.Options.RedirectUri,
            BaseUrl = server.BaseAddress,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        client?.Invoke(options);
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        var http = new HttpClient(recorder);
        var store = new InMemoryAmoTokenStore();
        await store.SaveAsync(server.DemoAccountId, AmoTokens.LongLived(server.DemoToken), CancellationToken.None);
        var amo = new AmoClient(http, options, store, gate, time);
        return new SandboxHarness(server, http, amo, store, recorder);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        Control.Dispose();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>Records what the client put on the wire (headers), passing every request on to the real network.</summary>
internal sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<HttpRequestMessage> _requests = [];

    public IReadOnlyList<HttpRequestMessage> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>The sandbox's control API (docs/SANDBOX.md, "The control API"), spoken as plain JSON over HTTP.</summary>
internal sealed class SandboxControl(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress };

    public async Task<JToken> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body is JToken t ? t.ToString() : Newtonsoft.Json.JsonConvert.SerializeObject(body), Encoding.UTF8, "application/json");
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sandbox control {method} {path} answered {(int)response.StatusCode}: {text}");
        return string.IsNullOrWhiteSpace(text) ? JValue.CreateNull() : JToken.Parse(text);
    }

    /// <summary>Adds a fault rule: <c>{method, path, kind, status?, count?, retry_after?, latency_ms?}</c>.</summary>
    public Task AddFaultAsync(object rule) => SendAsync(HttpMethod.Post, "/_sandbox/faults", rule);

    public Task AdvanceClockAsync(TimeSpan by) => SendAsync(HttpMethod.Post, "/_sandbox/clock/advance", new { seconds = (long)by.TotalSeconds });

    public async Task<string> CreateAuthCodeAsync(long accountId) =>
        (string)(await SendAsync(HttpMethod.Post, $"/_sandbox/accounts/{accountId}/auth-codes", new { }))["code"]!;

    public async Task<string> CreateTokenAsync(long accountId, long userId) =>
        (string)(await SendAsync(HttpMethod.Post, $"/_sandbox/accounts/{accountId}/tokens", new { user_id = userId }))["access_token"]!;

    public Task ClearRequestsAsync() => SendAsync(HttpMethod.Delete, "/_sandbox/requests");

    /// <summary>The request log entries of API calls matching <paramref name="method"/> and <paramref name="path"/>.</summary>
    public async Task<List<JObject>> RequestsAsync(string method, string path)
    {
        var log = await SendAsync(HttpMethod.Get, "/_sandbox/requests");
        var entries = log as JArray ?? (JArray?)log["requests"] ?? [];
        return entries.OfType<JObject>().Where(e => (string?)e["method"] == method && (string?)e["path"] == path).ToList();
    }

    public Task<JToken> DumpAsync(long accountId) => SendAsync(HttpMethod.Get, $"/_sandbox/accounts/{accountId}/dump");

    public void Dispose() => _http.Dispose();
}
