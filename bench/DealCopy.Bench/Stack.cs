using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using DealCopy.Host.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DealCopy.Bench;

/// <summary>Bench settings from the command line (--name value).</summary>
public sealed record BenchOptions(int LatencyMs, int JitterMs, int Runs, IReadOnlyDictionary<string, string> Raw)
{
    public int Int(string name, int fallback) => Raw.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<int> Ints(string name, params int[] fallback) =>
        Raw.TryGetValue(name, out var v) ? v.Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToList() : fallback;

    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var raw = new Dictionary<string, string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count) throw new ArgumentException($"expected --name value, got '{list[i]}'");
            raw[list[i][2..]] = list[++i];
        }
        var o = new BenchOptions(0, 0, 3, raw);
        return o with { LatencyMs = o.Int("latency", 80), JitterMs = o.Int("jitter", 20), Runs = o.Int("runs", 3) };
    }
}

/// <summary>One installed account of the sandbox as the bench uses it.</summary>
public sealed record BenchAccount(long Id, string Referer, string Token, long AdminUserId, long PipelineId);

/// <summary>
/// The amoCRM sandbox (7 requests per second, 250 per batch, the bench's latency) and the DealCopy Host, both
/// on loopback ports; the bench talks to the Host over HTTP as the widget and amoCRM's hooks do.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private Stack(AmoSandboxServer sandbox, WebApplication app, HttpClient http, string data)
    {
        Sandbox = sandbox;
        _app = app;
        Http = http;
        _data = data;
    }

    public AmoSandboxServer Sandbox { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>The sandbox as every figure sets it up: amoCRM's limits at the bench's latency.</summary>
    public static Task<AmoSandboxServer> StartSandboxAsync(BenchOptions options, Action<SandboxOptions>? sandbox = null) =>
        AmoSandboxServer.StartAsync(o =>
        {
            o.SeedDemoAccount = false;
            o.RequestsPerSecond = 7;
            o.MaxBatch = 250;
            o.LatencyMs = options.LatencyMs;
            o.LatencyJitterMs = options.JitterMs;
            o.RequestLogCapacity = 1_000_000;
            sandbox?.Invoke(o);
        });

    public static async Task<Stack> StartAsync(BenchOptions options, IDictionary<string, string?>? host = null, Action<SandboxOptions>? sandbox = null)
    {
        var amo = await StartSandboxAsync(options, sandbox);
        var data = Path.Combine(Path.GetTempPath(), "dealcopy-bench-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Amo:ClientId"] = amo.Options.ClientId,
            ["Amo:ClientSecret"] = amo.Options.ClientSecret,
            ["Amo:RedirectUri"] = amo.Options.RedirectUri,
            ["Amo:BaseUrl"] = amo.BaseAddress.ToString(),
            ["Security:TokenEncryptionKey"] = "bench-token-encryption-key-0123456789",
            ["Security:DpKeySecret"] = "bench-dp-key-secret-0123456789",
            ["Admin:Token"] = "bench",
            ["Data:Path"] = data,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in host ?? new Dictionary<string, string?>()) settings[k] = v;
        var built = await DealCopyApp.BuildAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await built.App.StartAsync();
        var address = built.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };
        var readyBy = DateTime.UtcNow.AddSeconds(60);
        while (!(await http.GetAsync("healthz/ready")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > readyBy) throw new TimeoutException("the Host did not become ready within 60 s");
            await Task.Delay(50); // poll interval
        }
        return new Stack(amo, built.App, http, data);
    }

    /// <summary>A sandbox account of <paramref name="deals"/> full deals (docs/SANDBOX.md), installed in the Host.</summary>
    public async Task<BenchAccount> AddAccountAsync(int deals, bool install = true)
    {
        var created = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["demo"] = true, ["full_deals"] = true, ["lead_count"] = deals });
        var id = created["id"]!.GetValue<long>();
        var account = new BenchAccount(id, created["referer"]!.GetValue<string>(), created["admin_token"]!.GetValue<string>(),
            created["admin_user_id"]!.GetValue<long>(), 0);
        var pipelines = (await Sandbox.Control.DumpAsync(id))["pipelines"]!.AsArray();
        account = account with { PipelineId = pipelines.First(p => p!["is_main"]!.GetValue<bool>())!["id"]!.GetValue<long>() };
        if (install) await InstallAsync(account);
        return account;
    }

    public async Task InstallAsync(BenchAccount account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "admin/v1/accounts") { Content = JsonContent.Create(new { account_id = account.Id, referer = account.Referer, access_token = account.Token }) };
        request.Headers.Authorization = new("Bearer", "bench");
        using var answer = await Http.SendAsync(request);
        if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"install of {account.Id} failed: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    public async Task<long[]> LeadIdsAsync(BenchAccount account) =>
        (await Sandbox.Control.DumpAsync(account.Id))["leads"]!.AsArray().Select(l => l!["id"]!.GetValue<long>()).Order().ToArray();

    /// <summary>A full copy (fields, contacts, company, tags, products, notes, open and finished tasks) into the same pipeline.</summary>
    public static object FullCopy(IEnumerable<long> ids, long pipelineId) => new
    {
        lead_ids = ids.ToArray(),
        target = new { pipeline_id = pipelineId },
        copy = new { fields = "all", price = true, contacts = true, company = true, tags = true, products = true, notes = true, open_tasks = true, finished_tasks = true },
    };

    /// <summary>
    /// Starts a job as the widget does (POST /api/v1/copies with a fresh widget token and an idempotency key); a 503
    /// (the account did not answer in time) is repeated with the same key, as the widget repeats it. The job id.
    /// </summary>
    public async Task<string> StartCopyAsync(BenchAccount account, object body, int attempts = 5)
    {
        var json = JsonSerializer.SerializeToNode(body)!.AsObject();
        json["idempotency_key"] ??= Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/copies") { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Auth-Token", await Sandbox.Control.WidgetTokenAsync(account.Id, account.AdminUserId));
            using var r = await Http.SendAsync(request);
            var text = await r.Content.ReadAsStringAsync();
            if (r.IsSuccessStatusCode) return JsonNode.Parse(text)!["id"]!.GetValue<string>();
            if ((int)r.StatusCode != 503 || attempt >= attempts) throw new InvalidOperationException($"POST /api/v1/copies answered {(int)r.StatusCode}: {text}");
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] POST /api/v1/copies answered 503 (attempt {attempt}); repeating it with the same idempotency key");
            Retries++;
        }
    }

    /// <summary>How many starts were repeated after a 503 (reported with the figure).</summary>
    public int Retries { get; private set; }

    /// <summary>The job as the admin API shows it.</summary>
    public async Task<JsonNode> JobAsync(BenchAccount account, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"admin/v1/accounts/{account.Id}/jobs/{id}");
        request.Headers.Authorization = new("Bearer", "bench");
        using var r = await Http.SendAsync(request);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    /// <summary>Waits until every job finished; <paramref name="progress"/> hears (done, total) now and then.</summary>
    public async Task WaitAsync(BenchAccount account, IReadOnlyList<string> ids, TimeSpan deadline, int pollMs = 20, Action<int, int>? progress = null)
    {
        var doneBy = DateTime.UtcNow + deadline;
        var finished = new HashSet<string>();
        var lastReport = DateTime.UtcNow;
        while (finished.Count < ids.Count)
        {
            if (DateTime.UtcNow > doneBy) throw new TimeoutException($"{ids.Count - finished.Count} job(s) did not finish within {deadline}");
            int done = 0, total = 0;
            foreach (var id in ids)
            {
                var job = await JobAsync(account, id);
                done += job["done"]?.GetValue<int>() ?? 0;
                total += job["total"]?.GetValue<int>() ?? 0;
                var status = job["status"]?.GetValue<string>();
                if (status is "completed" or "completed_with_errors" or "failed" or "cancelled") finished.Add(id);
                if (status is "completed_with_errors" or "failed") throw new InvalidOperationException($"job {id} ended {status}: {job.ToJsonString()[..Math.Min(600, job.ToJsonString().Length)]}");
            }
            if (progress is not null && DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(2))
            {
                progress(done, total);
                lastReport = DateTime.UtcNow;
            }
            if (finished.Count < ids.Count) await Task.Delay(pollMs); // poll interval
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Sandbox.DisposeAsync();
        try { Directory.Delete(_data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
