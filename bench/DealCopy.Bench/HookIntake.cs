using System.Diagnostics;
using System.Text.Json.Nodes;
using DealCopy.Host.Hooks;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>
/// P3: Digital Pipeline hook intake. Many installed accounts; hooks posted as amoCRM posts them (form-encoded,
/// bracket keys) in bursts from many connections; every accepted hook must have its journaled job.
/// </summary>
public static class HookIntake
{
    public static async Task<int> P3(BenchOptions o)
    {
        var accountsCount = o.Int("accounts", 1000);
        var hooksPerAccount = o.Int("hooks", 5);
        var connections = o.Int("connections", 64);
        var rows = new List<IReadOnlyList<string>>();
        var lostTotal = 0;
        for (var run = 1; run <= o.Runs; run++)
        {
            await using var stack = await Stack.StartAsync(o);
            var accounts = new List<BenchAccount>();
            for (var a = 0; a < accountsCount; a++)
            {
                var created = await stack.Sandbox.Control.CreateAccountAsync(new JsonObject());
                accounts.Add(new BenchAccount(created["id"]!.GetValue<long>(), created["referer"]!.GetValue<string>(), created["admin_token"]!.GetValue<string>(), created["admin_user_id"]!.GetValue<long>(), 1));
            }
            await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (a, _) => await stack.InstallAsync(a));
            Progress($"p3 run {run}/{o.Runs}: {accountsCount} accounts installed");
            var keys = stack.Services.GetRequiredService<HookKeys>();
            // a rule that waits a day: intake is measured, not the copies (the jobs are journaled and scheduled)
            var rule = new JsonObject
            {
                ["v"] = 1, ["copies"] = 1, ["target"] = new JsonObject { ["pipeline_id"] = 1 },
                ["copy"] = new JsonObject { ["fields"] = "all" }, ["original"] = new JsonObject { ["action"] = "leave" },
                ["delay_minutes"] = 1440,
            }.ToJsonString();
            var hooks = accounts.SelectMany(a => Enumerable.Range(1, hooksPerAccount).Select(n => (Account: a, Lead: 1000L + n))).OrderBy(_ => Random.Shared.Next()).ToList();
            var eventTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
            using var http = new HttpClient(handler) { BaseAddress = stack.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var latencies = new double[hooks.Count];
            var accepted = new (long Account, string JobId)?[hooks.Count];
            var failures = 0;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, hooks.Count), new ParallelOptions { MaxDegreeOfParallelism = connections }, async (i, ct) =>
            {
                var (account, lead) = hooks[i];
                var form = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["account_id"] = account.Id.ToString(C), ["subdomain"] = account.Referer.Split('.')[0],
                    ["event[type]"] = "14", ["event[type_code]"] = "lead_status_changed", ["event[data][id]"] = lead.ToString(C),
                    ["event[data][element_type]"] = "2", ["event[data][pipeline_id]"] = "1", ["event[data][status_id]"] = "2",
                    ["event[data][direction_of_movement]"] = "went_to_trigger", ["event[time]"] = eventTime.ToString(C),
                    ["action[settings][widget][settings][key]"] = keys.DpKeyFor(account.Id),
                    ["action[settings][widget][settings][rule]"] = rule,
                });
                var started = Stopwatch.GetTimestamp();
                using var answer = await http.PostAsync("hooks/dp", form, ct);
                var text = await answer.Content.ReadAsStringAsync(ct);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (answer.IsSuccessStatusCode && JsonNode.Parse(text)?["job_id"]?.GetValue<string>() is { } job) accepted[i] = (account.Id, job);
                else Interlocked.Increment(ref failures);
                if (i % 1000 == 999) Progress($"p3 run {run}/{o.Runs}: {i + 1}/{hooks.Count} hooks sent, {clock.Elapsed.TotalSeconds:F0} s");
            });
            clock.Stop();

            // 0 lost: every accepted hook's job is in the account's journal (asked through the admin API)
            var lost = 0;
            await Parallel.ForEachAsync(accepted.Where(x => x is not null).Select(x => x!.Value), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (x, _) =>
            {
                var job = await stack.JobAsync(new BenchAccount(x.Account, "", "", 0, 0), x.JobId);
                if (job["status"]?.GetValue<string>() is not ("scheduled" or "accepted" or "running")) Interlocked.Increment(ref lost);
            });
            lostTotal += lost + failures;
            var ok = accepted.Count(x => x is not null);
            rows.Add([
                run.ToString(C), accountsCount.ToString(C), hooks.Count.ToString(C), connections.ToString(C),
                (hooks.Count / clock.Elapsed.TotalSeconds).ToString("F0", C), Median(latencies).ToString("F1", C),
                Percentile(latencies, 99).ToString("F1", C), latencies.Max().ToString("F0", C), ok.ToString(C), failures.ToString(C), lost.ToString(C),
            ]);
        }
        Header("P3: Digital Pipeline hook intake (form-encoded hooks, journaled jobs)", o,
            $"bench/run.sh p3 --accounts {accountsCount} --hooks {hooksPerAccount} --connections {connections} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}");
        Table(["run", "accounts", "hooks", "connections", "hooks/s", "p50 ms", "p99 ms", "max ms", "accepted", "refused/failed", "accepted without a journaled job"], rows);
        return lostTotal;
    }
}
