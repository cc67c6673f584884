using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>
/// P5: scale-out. The same workload — one full copy of one full deal in each of N accounts, started through the
/// widget API spread over the nodes — on a cluster of 1 and of 3 Host processes on this machine sharing a fresh
/// PostgreSQL journal. Reports throughput, where the shards and accounts live (the operator API's region stats),
/// and what one node leaving gracefully (SIGTERM) costs: how long until each of its accounts is served again.
/// </summary>
public static class ScaleOut
{
    public static async Task P5(BenchOptions o)
    {
        var server = o.Raw.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable("DEALCOPY_TEST_POSTGRES")
            ?? throw new InvalidOperationException("P5 needs PostgreSQL: set DEALCOPY_TEST_POSTGRES (e.g. Host=127.0.0.1;Port=56432;Username=dealcopy;Database=postgres) or pass --postgres");
        var accounts = o.Int("accounts", 300);
        var sizes = o.Ints("nodes", 1, 3);
        var rows = new List<IReadOnlyList<string>>();
        var spread = new List<string>();
        foreach (var nodes in sizes)
            for (var run = 1; run <= o.Runs; run++)
            {
                var (row, detail) = await Once(o, server, nodes, accounts, $"p5 {nodes} node(s), run {run}/{o.Runs}");
                rows.Add(row);
                spread.Add(detail);
            }
        Header("P5: the same workload on 1 and on 3 Host processes (PostgreSQL journal)", o,
            $"bench/run.sh p5 --accounts {accounts} --nodes {string.Join(',', sizes)} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}");
        Console.WriteLine($"load: {Memory.LoadAverage()} (nproc {Environment.ProcessorCount}); all nodes, the sandbox and PostgreSQL on this one machine");
        Console.WriteLine();
        Table(["nodes", "accounts", "jobs", "wall s", "jobs/s", "amoCRM requests", "429s", "start p50 ms", "start p99 ms", "shards per node", "accounts per node",
            "leaving node: exit s", "its accounts' longest wait for an answer while it left: p50 / p99 / max s", "failed calls while moving", "503s repeated (installs, starts)"], rows);
        Console.WriteLine();
        foreach (var line in spread) Console.WriteLine(line);
    }

    private static async Task<(IReadOnlyList<string> Row, string Detail)> Once(BenchOptions o, string server, int size, int count, string label)
    {
        var database = CreateDatabase(server);
        await using var sandbox = await Stack.StartSandboxAsync(o);
        var free = HostProcess.FreePorts(2 * size);
        var seeds = Enumerable.Range(0, size).Select(i => $"akka.tcp://dealcopy@127.0.0.1:{free[2 * i + 1]}").ToList();
        var nodes = Enumerable.Range(0, size).Select(i => HostProcess.Create($"node{i + 1}", sandbox, free[2 * i], free[2 * i + 1], seeds, database, new Dictionary<string, string?>
        {
            ["Akka:AskTimeoutSeconds"] = "20",
        })).ToList();
        try
        {
            // the first node first: it forms the cluster and holds the shard coordinator; then the others join
            nodes[0].Start();
            await nodes[0].WaitReadyAsync(TimeSpan.FromSeconds(120));
            foreach (var n in nodes.Skip(1)) n.Start();
            foreach (var n in nodes.Skip(1)) await n.WaitReadyAsync(TimeSpan.FromSeconds(120));
            await WaitMembers(nodes, size, TimeSpan.FromSeconds(120));
            Progress($"{label}: {size} node(s) Up; creating {count} accounts");

            var accounts = new BenchAccount[count];
            var leads = new long[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            {
                var created = await sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = $"p5-{i}", ["demo"] = true, ["full_deals"] = true, ["lead_count"] = 1 });
                var id = created["id"]!.GetValue<long>();
                var dump = await sandbox.Control.DumpAsync(id);
                var pipeline = dump["pipelines"]!.AsArray().First(p => p!["is_main"]!.GetValue<bool>())!["id"]!.GetValue<long>();
                accounts[i] = new BenchAccount(id, created["referer"]!.GetValue<string>(), created["admin_token"]!.GetValue<string>(), created["admin_user_id"]!.GetValue<long>(), pipeline);
                leads[i] = dump["leads"]!.AsArray().First()!["id"]!.GetValue<long>();
                await nodes[i % size].InstallAsync(accounts[i]);
            });
            Progress($"{label}: {count} accounts installed; starting one full copy in each");
            await sandbox.Control.ClearRequestsAsync();

            // the workload: one job per account, started on the nodes in turn, as load-balanced widgets would
            var clock = Stopwatch.StartNew();
            var jobs = new string[count];
            var starts = new double[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                var t = Stopwatch.GetTimestamp();
                jobs[i] = await StartCopy(sandbox, nodes[i % size], accounts[i], Stack.FullCopy([leads[i]], accounts[i].PipelineId));
                starts[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            });
            var pending = new HashSet<int>(Enumerable.Range(0, count));
            var last = DateTime.UtcNow;
            while (pending.Count > 0)
            {
                var finished = new ConcurrentBag<int>();
                await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
                {
                    var job = await nodes[i % size].GetAsync($"admin/v1/accounts/{accounts[i].Id}/jobs/{jobs[i]}");
                    var status = job?["status"]?.GetValue<string>();
                    if (status is "completed_with_errors" or "failed" or "cancelled") throw new InvalidOperationException($"job {jobs[i]} ended {status}: {job!.ToJsonString()}");
                    if (status == "completed") finished.Add(i);
                });
                foreach (var i in finished) pending.Remove(i);
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{label}: {pending.Count} jobs did not finish in 10 minutes");
                if (DateTime.UtcNow - last > TimeSpan.FromSeconds(5))
                {
                    Progress($"{label}: {count - pending.Count}/{count} jobs done, {clock.Elapsed.TotalSeconds:F0} s");
                    last = DateTime.UtcNow;
                }
                if (pending.Count > 0) await Task.Delay(200); // poll interval
            }
            var wall = clock.Elapsed.TotalSeconds;
            var log = await sandbox.Control.RequestsAsync();
            var calls = CallStats.Of(log);
            Progress($"{label}: {count} jobs in {wall:F1} s");

            // where the shards and the (awake) accounts live, as the operator API's region stats tell it
            var stats = await nodes[0].GetAsync("admin/v1/cluster/sharding/regions/account/stats") ?? throw new InvalidOperationException("no region stats");
            var perNode = stats["nodes"]!.AsArray().Select(n => (Address: n!["address"]!.GetValue<string>(), Shards: n["shards"]!.GetValue<int>(), Entities: n["entities"]!.GetValue<int>())).ToList();
            var shards = string.Join(" / ", perNode.Select(n => n.Shards.ToString(C)));
            var entities = string.Join(" / ", perNode.Select(n => n.Entities.ToString(C)));
            var detail = $"{label}: region stats after the workload: " + string.Join("; ", perNode.Select(n => $"{n.Address} {n.Shards} shards, {n.Entities} accounts"));

            string exit = "—", served = "—", failures = "—";
            if (size > 1)
            {
                // handover: the last node (not the coordinator's) leaves as Swarm stops a task; its accounts must be served by the others
                var leaving = nodes[^1];
                var state = await leaving.GetAsync("admin/v1/cluster/sharding") ?? throw new InvalidOperationException("no shard state");
                var mine = state["shards"]!.AsArray().SelectMany(s => s!["entities"]!.AsArray().Select(e => long.Parse(e!.GetValue<string>(), C))).ToList();
                Progress($"{label}: {leaving.Name} holds {mine.Count} accounts; SIGTERM");
                // every account of the leaving node is asked over and over through the others, from the SIGTERM until
                // 2 s after the process exited: its longest wait for an answer (or between answers) is its handover cost
                var t0 = Stopwatch.StartNew();
                var stop = leaving.TerminateAsync(TimeSpan.FromSeconds(90));
                double? exitedAt = null;
                _ = stop.ContinueWith(_ => exitedAt = t0.Elapsed.TotalSeconds, TaskScheduler.Default);
                var failed = 0;
                var times = new ConcurrentBag<double>();
                var others = nodes.Take(size - 1).ToList();
                await Parallel.ForEachAsync(mine, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, mine.Count) }, async (id, _) =>
                {
                    var lastAnswer = 0.0;
                    var worst = 0.0;
                    while (exitedAt is not { } exit2 || t0.Elapsed.TotalSeconds < exit2 + 2)
                    {
                        try
                        {
                            using var r = await others[(int)(id % others.Count)].Http.GetAsync($"admin/v1/accounts/{id}");
                            if (r.IsSuccessStatusCode)
                            {
                                var now = t0.Elapsed.TotalSeconds;
                                worst = Math.Max(worst, now - lastAnswer);
                                lastAnswer = now;
                                continue;
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                        }
                        Interlocked.Increment(ref failed);
                        if (t0.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"account {id} was not served within 3 minutes after {leaving.Name} left");
                        await Task.Delay(50); // after a failure
                    }
                    worst = Math.Max(worst, t0.Elapsed.TotalSeconds - lastAnswer);
                    times.Add(worst);
                });
                await stop;
                var exited = exitedAt ?? t0.Elapsed.TotalSeconds;
                exit = exited.ToString("F1", C);
                served = times.IsEmpty ? "— (it held none)" : $"{Median(times):F2} / {Percentile(times, 99):F2} / {times.Max():F2} ({mine.Count} accounts)";
                failures = failed.ToString(C);
                var after = await nodes[0].GetAsync("admin/v1/cluster/sharding/regions/account/stats");
                detail += $"\n{label}: after {leaving.Name} left: " + string.Join("; ", after!["nodes"]!.AsArray().Select(n => $"{n!["address"]} {n["shards"]} shards, {n["entities"]} accounts"));
                Progress($"{label}: {leaving.Name} exited after {exited:F1} s; its accounts' longest wait p50 / p99 / max: {served}");
            }
            return ([
                size.ToString(C), count.ToString(C), count.ToString(C), wall.ToString("F1", C), (count / wall).ToString("F1", C), calls.Requests.ToString(C), calls.Limited.ToString(C),
                Median(starts).ToString("F0", C), Percentile(starts, 99).ToString("F0", C), shards, entities, exit, served, failures, nodes.Sum(n => n.Retries).ToString(C),
            ], detail);
        }
        catch
        {
            foreach (var n in nodes) Console.Error.WriteLine(n.Output);
            throw;
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    /// <summary>Starts a job as the widget does; a 503 (the account did not answer in time) is repeated with the same key.</summary>
    private static async Task<string> StartCopy(DealCopy.AmoSandbox.AmoSandboxServer sandbox, HostProcess node, BenchAccount account, object body)
    {
        var json = JsonSerializer.SerializeToNode(body)!.AsObject();
        json["idempotency_key"] = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/copies") { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Auth-Token", await sandbox.Control.WidgetTokenAsync(account.Id, account.AdminUserId));
            using var r = await node.Api.SendAsync(request);
            var text = await r.Content.ReadAsStringAsync();
            if (r.IsSuccessStatusCode) return JsonNode.Parse(text)!["id"]!.GetValue<string>();
            if ((int)r.StatusCode != 503 || attempt >= 5) throw new InvalidOperationException($"POST /api/v1/copies on {node.Name} answered {(int)r.StatusCode}: {text}");
            node.CountRetry();
        }
    }

    private static async Task WaitMembers(IReadOnlyList<HostProcess> nodes, int size, TimeSpan within)
    {
        var by = DateTime.UtcNow + within;
        foreach (var n in nodes)
            while (true)
            {
                var view = await n.GetAsync("admin/v1/cluster");
                var members = view?["members"]?.AsArray();
                if (members is not null && members.Count == size && members.All(m => m!["status"]!.GetValue<string>() == "Up")) break;
                if (DateTime.UtcNow > by) throw new TimeoutException($"{n.Name} does not see {size} members Up: {view?.ToJsonString()}");
                await Task.Delay(250); // poll interval
            }
    }

    /// <summary>A fresh database for one cluster: no shard coordinator or remembered entities of an earlier run.</summary>
    private static string CreateDatabase(string server)
    {
        var name = "dealcopy_bench_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
