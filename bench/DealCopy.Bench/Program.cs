using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using DealCopy.Host.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// Copy throughput and API cost: copy N demo deals in one job (and N one-deal jobs at once) through the
// Host, against the amoCRM sandbox at its real limit (7 requests per second), over loopback HTTP.
// Usage: dotnet run --project bench/DealCopy.Bench -c Release -- [deals=200] [runs=3]
var deals = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var rows = new List<string>();

for (var run = 1; run <= runs; run++)
{
    await using var sandbox = await AmoSandboxServer.StartAsync(o => o.DemoLeadCount = Math.Max(300, deals + 50));
    var data = Path.Combine(Path.GetTempPath(), "dealcopy-bench-" + Guid.NewGuid().ToString("N"));
    var built = await DealCopyApp.BuildAsync([], b =>
    {
        b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Amo:ClientId"] = sandbox.Options.ClientId,
            ["Amo:ClientSecret"] = sandbox.Options.ClientSecret,
            ["Amo:RedirectUri"] = sandbox.Options.RedirectUri,
            ["Amo:BaseUrl"] = sandbox.BaseAddress.ToString(),
            ["Security:TokenEncryptionKey"] = "bench-token-encryption-key-0123456789",
            ["Security:DpKeySecret"] = "bench-dp-key-secret-0123456789",
            ["Admin:Token"] = "bench",
            ["Data:Path"] = data,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        b.Logging.SetMinimumLevel(LogLevel.Warning);
    });
    await built.App.StartAsync();
    var address = built.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
    var readyBy = DateTime.UtcNow.AddSeconds(60);
    while (!(await http.GetAsync("healthz/ready")).IsSuccessStatusCode)
    {
        if (DateTime.UtcNow > readyBy) throw new TimeoutException("the Host did not become ready within 60 s");
        await Task.Delay(50); // poll interval
    }
    using (var install = new HttpRequestMessage(HttpMethod.Post, "admin/v1/accounts") { Content = JsonContent.Create(new { account_id = sandbox.DemoAccountId, referer = "dealcopy-demo.amocrm.ru", access_token = sandbox.DemoToken }) })
    {
        install.Headers.Authorization = new("Bearer", "bench");
        (await http.SendAsync(install)).EnsureSuccessStatusCode();
    }

    async Task<string> Start(object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/copies") { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Auth-Token", await sandbox.Control.WidgetTokenAsync(sandbox.DemoAccountId, 5000002));
        using var r = await http.SendAsync(request);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    async Task Wait(string id)
    {
        var doneBy = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            if (DateTime.UtcNow > doneBy) throw new TimeoutException($"job {id} did not finish within 10 minutes");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/copies/{id}");
            request.Headers.Add("X-Auth-Token", await sandbox.Control.WidgetTokenAsync(sandbox.DemoAccountId, 5000002));
            var status = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!["status"]!.GetValue<string>();
            if (status is "completed" or "completed_with_errors" or "failed") return;
            await Task.Delay(20); // poll interval
        }
    }

    // warm the account (metadata, marker field) so that both scenarios measure copying only
    await Wait(await Start(new { lead_ids = new[] { 20000001L }, target = new { pipeline_id = 7100003 } }));
    var dump = await sandbox.Control.DumpAsync(sandbox.DemoAccountId);
    var ids = dump["leads"]!.AsArray().Select(l => l!["id"]!.GetValue<long>()).Where(id => id != 20000001).Take(deals).ToArray();

    async Task Measure(string scenario, Func<Task> work)
    {
        await sandbox.Control.ClearRequestsAsync();
        var clock = Stopwatch.StartNew();
        await work();
        clock.Stop();
        var log = await sandbox.Control.RequestsAsync(sandbox.DemoAccountId);
        var times = log.Select(e => e.AtMs).Order().ToList();
        var busiest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u < t + 1000).Count()).DefaultIfEmpty(0).Max();
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {run} | {scenario} | {ids.Length} | {clock.Elapsed.TotalSeconds:F1} | {ids.Length / clock.Elapsed.TotalSeconds:F1} | {log.Count} | {(double)log.Count / ids.Length:F3} | {busiest} | {log.Count(e => e.Status == 429)} |"));
    }

    await Measure("one job", async () => await Wait(await Start(new { lead_ids = ids, target = new { pipeline_id = 7100002 } })));
    await Measure("one job per deal", async () =>
    {
        var jobs = await Task.WhenAll(ids.Select(id => Start(new { lead_ids = new[] { id }, target = new { pipeline_id = 7100003 } })));
        foreach (var job in jobs) await Wait(job);
    });

    await built.App.StopAsync();
    await built.App.DisposeAsync();
    try { Directory.Delete(data, true); } catch (IOException) { }
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine("| run | scenario | deals | seconds | deals/s | amoCRM requests | requests per deal | busiest second | 429s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var row in rows) Console.WriteLine(row);
