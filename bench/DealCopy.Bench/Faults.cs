using System.Diagnostics;
using System.Text.Json.Nodes;
using DealCopy.AmoClient.Model;
using DealCopy.AmoSandbox.Platform;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>
/// P1-faults (issue 14 part 3): the P1 workload once in fair weather and once with every fault of the fault matrix
/// (tests/DealCopy.Host.Tests/FaultMatrixTests.cs) at <c>--rate</c> each on every route at once, N runs each. Both
/// runs use the same stack — OAuth tokens that the client refreshes (and amoCRM rotates) during the run — so the
/// only difference is the weather. Correctness is read from the sandbox's state, not from the job report.
/// </summary>
public static class Faults
{
    /// <summary>The access token lives 70 s: with the client's 60 s skew it is refreshed (and the refresh token rotated) every ~10 s.</summary>
    private const int AccessTokenLifetime = 70;

    /// <summary>The fault matrix of FaultMatrixTests: each rule gets its own roll of <c>rate</c>, first match wins.</summary>
    public static FaultRule[] Weather(double rate) =>
    [
        new() { Path = "/api/v4/*", Kind = "status", Status = 429, RetryAfter = 1, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 429, OmitRetryAfter = true, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 500, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 502, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 503, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 504, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 500, AfterCommit = true, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 504, AfterCommit = true, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "status", Status = 401, Rate = rate },
        new() { Path = "/api/v4/*", Kind = "timeout", Rate = rate },
        new() { Path = "/api/v4/*", Kind = "reset", Rate = rate },
        new() { Path = "/api/v4/*", Kind = "lost_response", Rate = rate },
        new() { Path = "/oauth2/access_token", Kind = "status", Status = 500, Rate = rate },
        new() { Path = "/oauth2/access_token", Kind = "reset", Rate = rate },
        new() { Path = "/oauth2/access_token", Kind = "lost_response", Rate = rate },
    ];

    private sealed record Run(int N, bool Faulted, double Seconds, IReadOnlyList<RequestLogEntry> Log, int Retries, string? Broken);

    public static async Task<int> P1Faults(BenchOptions o)
    {
        var deals = o.Int("deals", 1000);
        var rate = double.Parse(o.Raw.GetValueOrDefault("rate") ?? "0.10", C);
        var timeout = o.Int("request-timeout", 5);
        var runs = new List<Run>();
        for (var n = 1; n <= o.Runs; n++)
        {
            runs.Add(await Once(o, n, deals, 0, timeout));
            runs.Add(await Once(o, n, deals, rate, timeout));
        }

        Header($"P1-faults: {deals} full deals ({(deals + 499) / 500} job(s) of ≤ 500), fair weather vs every fault of the matrix at {rate:P0} each on every route at once", o,
            $"bench/run.sh p1-faults --deals {deals} --rate {rate.ToString(C)} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs} --request-timeout {timeout}");
        Console.WriteLine($"stack: OAuth tokens, access token {AccessTokenLifetime} s (refreshed and rotated every ~10 s in both), Amo:RequestTimeoutSeconds {timeout}, a held request dropped by the sandbox after {timeout + 5} s; faulted runs also jump amoCRM's clock past the access token's life once a third of the deals are copied");
        Console.WriteLine();
        Table(["run", "weather", "seconds", "amoCRM requests", "faults injected", "share faulted", "job retries", "429s (injected / limiter)", "401s", "token refreshes", "403s", "correct"],
            runs.Select(r =>
            {
                var api = r.Log.Where(e => e.Path.StartsWith("/api/v4/", StringComparison.Ordinal)).ToList();
                var faults = r.Log.Count(e => e.Fault is not null);
                return (IReadOnlyList<string>)
                [
                    r.N.ToString(C), r.Faulted ? $"faults {rate:P0} each" : "fair", r.Seconds.ToString("F1", C), api.Count.ToString(C), faults.ToString(C),
                    (api.Count == 0 ? 0 : (double)api.Count(e => e.Fault is not null) / api.Count).ToString("P0", C), r.Retries.ToString(C),
                    $"{r.Log.Count(e => e.Status == 429 && e.Fault is not null)} / {r.Log.Count(e => e.Status == 429 && e.Fault is null)}",
                    r.Log.Count(e => e.Status == 401).ToString(C),
                    r.Log.Count(e => e.Path == "/oauth2/access_token" && e.Status == 200).ToString(C),
                    r.Log.Count(e => e.Status == 403).ToString(C), r.Broken is null ? "yes" : "**NO**",
                ];
            }));
        Console.WriteLine();
        var fair = runs.Where(r => !r.Faulted).ToList();
        var faulted = runs.Where(r => r.Faulted).ToList();
        var ratios = faulted.Select(f => f.Seconds / fair.Single(r => r.N == f.N).Seconds).ToList();
        Console.WriteLine($"wall time, fair weather: {Spread(fair.Select(r => r.Seconds))} s; under faults: {Spread(faulted.Select(r => r.Seconds))} s (median (min–max) of {o.Runs} run(s))");
        Console.WriteLine($"faulted ÷ fair (each run against its pair): {Spread(ratios, "F2")}× (goal ≤ 2×: {(ratios.Max() <= 2 ? "met" : Median(ratios) <= 2 ? "met at the median, missed in a run" : "missed")})");
        var kinds = faulted.SelectMany(r => r.Log).Where(e => e.Fault is not null)
            .GroupBy(e => e.Fault == "status" ? $"{e.Fault} {(e.Status == 0 ? "dropped" : e.Status.ToString(C))}" : e.Fault!)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"faults injected by kind (all faulted runs): {string.Join(", ", kinds)}");
        Console.WriteLine($"requests by kind (faulted run 1): {CallStats.Of(faulted[0].Log.Where(e => e.AccountId is not null).ToList()).KindsText()}");
        var broken = runs.Where(r => r.Broken is not null).ToList();
        Console.WriteLine(broken.Count == 0
            ? $"correctness (sandbox state, every run): exactly {deals} copies, each with its 2 contacts, company, {FullDeal.Products} products, {FullDeal.Notes} notes + trace note and {FullDeal.Tasks} tasks exactly once, one trace note per copy in its source, no other new deal; 403s: {runs.Sum(r => r.Log.Count(e => e.Status == 403))}"
            : "correctness: BROKEN\n" + string.Join("\n", broken.Select(r => $"  run {r.N} ({(r.Faulted ? "faults" : "fair")}): {r.Broken}")));
        return broken.Count == 0 && runs.All(r => r.Log.All(e => e.Status != 403)) ? 0 : 1;
    }

    private static async Task<Run> Once(BenchOptions o, int n, int deals, double rate, int timeout)
    {
        var faulted = rate > 0;
        var label = $"p1-faults run {n}/{o.Runs} ({(faulted ? $"faults {rate:P0} each" : "fair")})";
        await using var stack = await Stack.StartAsync(o,
            new Dictionary<string, string?>
            {
                ["Amo:RequestTimeoutSeconds"] = timeout.ToString(C),
                // the sandbox's clock jumps ahead to expire the access token; widget tokens it mints then look early by as much
                ["Security:TokenClockSkewSeconds"] = "120",
            },
            s =>
            {
                s.AccessTokenLifetimeSeconds = AccessTokenLifetime;
                s.RefreshTokenGrace = true; // amoCRM keeps the old refresh token valid until the new pair is used (API-NOTES §1.3)
                s.TimeoutFaultSeconds = timeout + 5; // the client gives up first: a real timeout
            });
        var account = await stack.AddAccountAsync(deals + 1, install: false);
        await InstallByOAuthAsync(stack, account);
        var all = await stack.LeadIdsAsync(account);
        await stack.WaitAsync(account, [await stack.StartCopyAsync(account, Stack.FullCopy([all[0]], account.PipelineId))], TimeSpan.FromMinutes(2));
        var ids = all.Skip(1).Take(deals).ToArray();
        var before = await stack.Sandbox.Control.DumpAsync(account.Id);
        await stack.Sandbox.Control.ClearRequestsAsync();
        if (faulted)
            foreach (var rule in Weather(rate)) await stack.Sandbox.Control.AddFaultAsync(rule);

        var clock = Stopwatch.StartNew();
        string? broken = null;
        var jobs = Array.Empty<string>();
        try
        {
            jobs = await Task.WhenAll(ids.Chunk(500).Select(chunk => stack.StartCopyAsync(account, Stack.FullCopy(chunk, account.PipelineId), attempts: 100)));
            using var stop = new CancellationTokenSource();
            var expiry = faulted ? ExpireTokenMidRun(stack, account, jobs, deals / 3, stop.Token) : Task.CompletedTask;
            await stack.WaitAsync(account, jobs, TimeSpan.FromMinutes(45), pollMs: 100,
                progress: (done, total) => Progress($"{label}: {done}/{total} deals copied, {clock.Elapsed.TotalSeconds:F0} s"));
            clock.Stop();
            await stop.CancelAsync();
            await expiry;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            clock.Stop();
            broken = e.Message;
        }
        if (faulted) await stack.Sandbox.Control.ClearFaultsAsync();
        var log = await stack.Sandbox.Control.RequestsAsync();
        var retries = 0;
        foreach (var job in jobs) retries += (await stack.JobAsync(account, job))["retries"]?.GetValue<int>() ?? 0;
        var after = await stack.Sandbox.Control.DumpAsync(account.Id);
        var problems = Check(before, after, ids, jobs, account.Referer);
        if (problems.Count > 0) broken = (broken is null ? "" : broken + "; ") + string.Join("; ", problems.Take(10)) + (problems.Count > 10 ? $" … ({problems.Count} problems)" : "");
        Progress($"{label}: {clock.Elapsed.TotalSeconds:F1} s, {log.Count} requests, {log.Count(e => e.Fault is not null)} faults, {retries} job retries, {(broken is null ? "correct" : "BROKEN: " + broken)}");
        return new Run(n, faulted, clock.Elapsed.TotalSeconds, log, retries, broken);
    }

    /// <summary>The account's OAuth install as amoCRM does it (the code goes to the Host's redirect URI), then waits until the Host answers for it.</summary>
    private static async Task InstallByOAuthAsync(Stack stack, BenchAccount account)
    {
        var install = await stack.Sandbox.Control.InstallAsync(account.Id, new Uri(stack.Http.BaseAddress!, "oauth/callback").ToString());
        if (install["status"]?.GetValue<int?>() != 200) throw new InvalidOperationException("the OAuth install failed: " + install.ToJsonString());
        var by = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/meta");
            request.Headers.Add("X-Auth-Token", await stack.Sandbox.Control.WidgetTokenAsync(account.Id, account.AdminUserId));
            using var r = await stack.Http.SendAsync(request);
            if (r.IsSuccessStatusCode) return;
            if (DateTime.UtcNow > by) throw new TimeoutException($"the OAuth install did not take: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            await Task.Delay(100); // poll interval
        }
    }

    /// <summary>Once <paramref name="after"/> deals are copied, amoCRM's clock jumps past the access token's life: the next calls answer 401 and the client refreshes.</summary>
    private static async Task ExpireTokenMidRun(Stack stack, BenchAccount account, IReadOnlyList<string> jobs, int after, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var done = 0;
                foreach (var job in jobs) done += (await stack.JobAsync(account, job))["done"]?.GetValue<int>() ?? 0;
                if (done >= after)
                {
                    await stack.Sandbox.Control.AdvanceClockAsync(AccessTokenLifetime + 10, ct);
                    Progress($"p1-faults: {done} deals copied, amoCRM's clock jumped {AccessTokenLifetime + 10} s: the access token has expired");
                    return;
                }
                await Task.Delay(200, ct); // poll interval
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>
    /// What the sandbox holds after a copy run (this figure and FaultMatrixTests share it): exactly
    /// <paramref name="copiesPerSource"/> marked copies per source and no other new deal, each copy with its source's
    /// contacts, company, products, notes and tasks exactly once, the copy's trace note once in the copy and once in
    /// its source. Returns what is wrong, empty when everything is.
    /// </summary>
    public static List<string> CopiesExactlyOnce(JsonObject before, JsonObject after, IReadOnlyList<long> sources, IReadOnlyList<string> jobs, string referer,
        int copiesPerSource = 1)
    {
        var problems = new List<string>();
        IEnumerable<JsonObject> Leads(JsonObject dump) => dump["leads"]!.AsArray().Select(l => l!.AsObject());
        var existing = Leads(before).Select(l => l["id"]!.GetValue<long>()).ToHashSet();
        var made = Leads(after).Where(l => !existing.Contains(l["id"]!.GetValue<long>())).ToList();
        var copies = made.Where(l => Marker(l) is { } m && jobs.Any(j => m.Contains($"#dealcopy-{j}-", StringComparison.Ordinal))).ToList();
        if (made.Count != sources.Count * copiesPerSource) problems.Add($"{made.Count} new deals, expected {sources.Count * copiesPerSource}");
        if (copies.Count != made.Count) problems.Add($"{made.Count - copies.Count} new deal(s) without this run's marker");
        var bySource = copies.GroupBy(SourceOf).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var s in sources)
        {
            var count = bySource.TryGetValue(s, out var c) ? c.Count : 0;
            if (count != copiesPerSource) problems.Add($"source {s} has {count} copies, expected {copiesPerSource}");
        }

        ILookup<long, JsonObject> NotesIn(JsonObject dump) => dump["notes"]!.AsArray().Select(n => n!.AsObject())
            .Where(n => n["entity_type"]?.GetValue<string>() is null or "leads").ToLookup(n => n["entity_id"]!.GetValue<long>());
        ILookup<long, JsonObject> TasksIn(JsonObject dump) => dump["tasks"]!.AsArray().Select(t => t!.AsObject()).ToLookup(t => t["entity_id"]?.GetValue<long>() ?? 0);
        var (sourceNotes, sourceTasks, notes, tasks) = (NotesIn(before), TasksIn(before), NotesIn(after), TasksIn(after));
        var leadsBefore = Leads(before).ToDictionary(l => l["id"]!.GetValue<long>());
        foreach (var copy in copies)
        {
            var copyId = copy["id"]!.GetValue<long>();
            var sourceId = SourceOf(copy);
            if (!leadsBefore.TryGetValue(sourceId, out var source)) { problems.Add($"copy {copyId} names an unknown source {sourceId}"); continue; }
            void Same(string what, IEnumerable<string> expected, IEnumerable<string> actual)
            {
                var e = expected.Order().ToList();
                var a = actual.Order().ToList();
                if (!e.SequenceEqual(a)) problems.Add($"copy {copyId} of {sourceId}: {what} [{string.Join(", ", a)}], expected [{string.Join(", ", e)}]");
            }
            Same("contacts", Contacts(source), Contacts(copy));
            Same("company", Companies(source), Companies(copy));
            Same("products", Products(source), Products(copy));
            Same("tasks", sourceTasks[sourceId].Where(t => !string.IsNullOrEmpty(t["text"]?.GetValue<string>())).Select(TaskKey), tasks[copyId].Select(TaskKey));
            Same("notes", sourceNotes[sourceId].Where(n => NoteTypes.IsCreatable(n["note_type"]?.GetValue<string>()) && n["params"] is JsonObject).Select(NoteKey)
                .Append($"service_message|Копия сделки #{sourceId} https://{referer}/leads/detail/{sourceId}"), notes[copyId].Select(NoteKey));
            var traces = notes[sourceId].Count(n => NoteKey(n) == $"service_message|Создана копия сделки: #{copyId} https://{referer}/leads/detail/{copyId}");
            if (traces != 1) problems.Add($"source {sourceId} has {traces} trace notes of copy {copyId}");
        }
        return problems;
    }

    /// <summary>The figure's deals have what it claims (so "exactly once" is not vacuous).</summary>
    private static List<string> Check(JsonObject before, JsonObject after, IReadOnlyList<long> sources, IReadOnlyList<string> jobs, string referer)
    {
        var problems = CopiesExactlyOnce(before, after, sources, jobs, referer);
        var first = before["leads"]!.AsArray().Select(l => l!.AsObject()).FirstOrDefault(l => sources.Count > 0 && l["id"]!.GetValue<long>() == sources[0]);
        if (first is not null && (Contacts(first).Count() != FullDeal.Contacts || Products(first).Count() != FullDeal.Products || !Companies(first).Any()))
            problems.Add($"source {sources[0]} is not a full deal: {Contacts(first).Count()} contacts, {Products(first).Count()} products, {Companies(first).Count()} companies");
        return problems;
    }

    private static string? Marker(JsonObject lead) =>
        lead["custom_fields_values"] is JsonArray values
            ? values.Select(v => v!.AsObject()).FirstOrDefault(v => v["field_code"]?.GetValue<string>() == "DEALCOPY_SOURCE")?["values"]?[0]?["value"]?.GetValue<string>()
            : null;

    private static long SourceOf(JsonObject copy) =>
        long.Parse(Marker(copy)!.Split("/leads/detail/")[1].Split('#')[0], C);

    private static IEnumerable<string> Contacts(JsonObject lead) =>
        (lead["_embedded"]?["contacts"]?.AsArray() ?? []).Select(c => $"{c!["id"]}{(c["is_main"]?.GetValue<bool>() == true ? " main" : "")}");

    private static IEnumerable<string> Companies(JsonObject lead) =>
        (lead["_embedded"]?["companies"]?.AsArray() ?? []).Select(c => c!["id"]!.ToJsonString());

    private static IEnumerable<string> Products(JsonObject lead) =>
        (lead["_embedded"]?["catalog_elements"]?.AsArray() ?? []).Select(p => $"{p!["id"]}×{p["metadata"]?["quantity"]}");

    private static string TaskKey(JsonObject t) => $"{t["text"]}|{t["is_completed"]}";

    private static string NoteKey(JsonObject n) =>
        $"{n["note_type"]}|{(n["params"]?["text"] is { } text ? text.GetValue<string>() : n["params"]?.ToJsonString())}";
}
