using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace DealCopy.AmoSandbox.Tests.Support;

/// <summary>One HTTP answer as a client sees it: status, media type and body text.</summary>
public sealed record Answer(HttpStatusCode Status, string? MediaType, string Text, HttpResponseHeaders Headers)
{
    public int Code => (int)Status;
    public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException("empty JSON body");
    public JsonObject Object => Json.AsObject();

    /// <summary>The items of a HAL list answer (<c>_embedded.{key}</c>).</summary>
    public JsonArray Embedded(string key) => Json["_embedded"]![key]!.AsArray();

    public override string ToString() => $"{Code} {MediaType} {Text}";
}

/// <summary>A started sandbox plus a client that carries the demo admin's token; what most tests need.</summary>
public sealed class Amo : IAsyncDisposable
{
    private Amo(AmoSandboxServer server)
    {
        Server = server;
        Http = ClientWith(server.DemoToken);
    }

    public AmoSandboxServer Server { get; }
    public HttpClient Http { get; }
    public SandboxControlClient Control => Server.Control;
    public long AccountId => Server.DemoAccountId;

    /// <summary>Starts a sandbox with a rate limit no ordinary test reaches, unless <paramref name="configure"/> says otherwise.</summary>
    public static async Task<Amo> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var server = await AmoSandboxServer.StartAsync(o =>
        {
            o.RequestsPerSecond = 1000;
            configure?.Invoke(o);
        });
        return new Amo(server);
    }

    public HttpClient ClientWith(string? token, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public Task<Answer> Get(string path) => Http.Call(HttpMethod.Get, path);
    public Task<Answer> Post(string path, JsonNode body) => Http.Call(HttpMethod.Post, path, body);
    public Task<Answer> Patch(string path, JsonNode body) => Http.Call(HttpMethod.Patch, path, body);

    /// <summary>Creates one lead and returns its id (fails the test when amoCRM would refuse it).</summary>
    public async Task<long> CreateLead(JsonObject lead)
    {
        var answer = await Post("api/v4/leads", new JsonArray(lead));
        Assert.True(answer.Code == 200, answer.ToString());
        return answer.Embedded("leads")[0]!["id"]!.GetValue<long>();
    }

    /// <summary>The demo account's leads as the control API dumps them (for before/after counts).</summary>
    public async Task<int> LeadCount() => (await Control.DumpAsync(AccountId))["leads"]!.AsArray().Count;

    public async Task<Pipelines> PipelinesAsync()
    {
        var answer = await Get("api/v4/leads/pipelines");
        Assert.Equal(200, answer.Code);
        return new Pipelines(answer.Embedded("pipelines").Select(p => p!.AsObject()).ToList());
    }

    /// <summary>The demo account's lead field of a type (the first one that is not computed).</summary>
    public async Task<JsonObject> LeadField(string type)
    {
        var fields = (await Control.DumpAsync(AccountId))["lead_fields"]!.AsArray();
        return fields.Select(f => f!.AsObject()).First(f => f["type"]!.GetValue<string>() == type && !(f["is_computed"]?.GetValue<bool>() ?? false));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>The pipelines of an account as <c>GET /api/v4/leads/pipelines</c> shows them.</summary>
public sealed record Pipelines(List<JsonObject> All)
{
    public JsonObject Main => All.First(p => p["is_main"]!.GetValue<bool>());
    public JsonObject Archived => All.First(p => p["is_archive"]!.GetValue<bool>());

    public static long Id(JsonObject pipeline) => pipeline["id"]!.GetValue<long>();

    public static IEnumerable<JsonObject> Statuses(JsonObject pipeline) =>
        pipeline["_embedded"]!["statuses"]!.AsArray().Select(s => s!.AsObject());

    public static long Unsorted(JsonObject pipeline) => Statuses(pipeline).First(s => s["type"]!.GetValue<int>() == 1)["id"]!.GetValue<long>();

    public static List<long> Regular(JsonObject pipeline) => Statuses(pipeline)
        .Where(s => s["type"]!.GetValue<int>() == 0 && s["id"]!.GetValue<long>() is not (142 or 143))
        .Select(s => s["id"]!.GetValue<long>()).ToList();
}

public static class HttpCalls
{
    public static async Task<Answer> Call(this HttpClient http, HttpMethod method, string path, JsonNode? body = null, string? rawBody = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null || rawBody is not null)
            request.Content = new StringContent(rawBody ?? body!.ToJsonString(), Encoding.UTF8, contentType);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, response.Headers);
    }

    public static async Task<Answer> Form(this HttpClient http, string path, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var response = await http.PostAsync(path, new FormUrlEncodedContent(fields));
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, response.Headers);
    }
}

/// <summary>Waits for a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T?>> probe, TimeSpan? within = null, string? what = null) where T : class
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            if (await probe() is { } value) return value;
            if (deadline.Elapsed > limit) throw new TimeoutException($"not within {limit}: {what}");
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>Completes once <paramref name="span"/> has passed since <paramref name="since"/> (a Stopwatch timestamp).</summary>
    public static async Task Elapsed(long since, TimeSpan span)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Stopwatch.GetElapsedTime(since) < span) await timer.WaitForNextTickAsync();
    }
}

public static class Problem
{
    /// <summary>amoCRM's problem+json (API-NOTES §3) and never a stack trace.</summary>
    public static JsonObject Assert(Answer answer, int status)
    {
        Xunit.Assert.True(answer.Code == status, $"expected {status}, got {answer}");
        Xunit.Assert.Equal("application/problem+json", answer.MediaType);
        Xunit.Assert.DoesNotContain("   at ", answer.Text, StringComparison.Ordinal);
        var o = answer.Object;
        Xunit.Assert.Equal(status, o["status"]!.GetValue<int>());
        Xunit.Assert.Equal($"https://httpstatus.es/{status}", o["type"]!.GetValue<string>());
        Xunit.Assert.False(string.IsNullOrEmpty(o["title"]?.GetValue<string>()));
        return o;
    }

    /// <summary>The errors of a 400 "Request validation failed" for one request_id.</summary>
    public static List<JsonObject> ValidationErrors(Answer answer, string requestId)
    {
        var o = Assert(answer, 400);
        Xunit.Assert.Equal("Request validation failed", o["detail"]!.GetValue<string>());
        var entity = o["validation-errors"]!.AsArray().Select(e => e!.AsObject()).Single(e => e["request_id"]!.GetValue<string>() == requestId);
        var errors = entity["errors"]!.AsArray().Select(e => e!.AsObject()).ToList();
        foreach (var e in errors)
        {
            Xunit.Assert.False(string.IsNullOrEmpty(e["code"]?.GetValue<string>()));
            Xunit.Assert.NotNull(e["path"]);
            Xunit.Assert.False(string.IsNullOrEmpty(e["detail"]?.GetValue<string>()));
        }
        return errors;
    }
}
