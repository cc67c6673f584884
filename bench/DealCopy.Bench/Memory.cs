using System.Diagnostics;
using System.Text.Json.Nodes;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>
/// P4: memory per account. The Host runs as a process of its own (its RSS and GC heap are its own; SQLite journal as
/// shipped for one node). N sandbox accounts are installed over the operator API (each install wakes the account and
/// journals it), then left until every one has passivated (Akka:AccountIdleSeconds); the heap is read after a full GC.
/// Then a sample is woken one at a time (time to wake) and K accounts are woken together to see the memory while active.
/// </summary>
public static class Memory
{
    private const double MiB = 1024 * 1024;

    public static async Task P4(BenchOptions o)
    {
        var sizes = o.Ints("accounts", 10_000, 30_000);
        var activeWanted = o.Int("active", 10_000);
        var idle = o.Int("idle", 60);
        var sample = o.Int("wake-sample", 200);
        var parallel = o.Int("parallel", 32);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var size in sizes)
            for (var run = 1; run <= o.Runs; run++)
                rows.Add(await Once(o, size, Math.Min(activeWanted, size), idle, Math.Min(sample, size), parallel, $"p4 {size} accounts, run {run}/{o.Runs}"));
        Header("P4: memory per installed account (Host process alone, SQLite journal)", o,
            $"bench/run.sh p4 --accounts {string.Join(',', sizes)} --active {activeWanted} --idle {idle} --wake-sample {sample} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}");
        Console.WriteLine($"load: {LoadAverage()} (nproc {Environment.ProcessorCount}); heap = dotnet_gc_last_collection_heap_size_bytes after an induced full GC; RSS = VmRSS");
        Console.WriteLine();
        Table(["accounts", "install s (per s)", "RSS MiB empty", "RSS MiB all passivated", "RSS KiB / account", "heap MiB empty", "heap MiB all passivated",
            "heap KiB / passivated account", "awake at once", "RSS KiB / awake account", "heap KiB / awake account", "journal bytes / account",
            "wake p50 ms", "wake p99 ms", "awake answer p50 ms"], rows);
    }

    private static async Task<IReadOnlyList<string>> Once(BenchOptions o, int size, int active, int idle, int sample, int parallel, string label)
    {
        await using var sandbox = await Stack.StartSandboxAsync(o);
        var ports = HostProcess.FreePorts(2);
        await using var host = HostProcess.Create("host", sandbox, ports[0], ports[1], [], null, new Dictionary<string, string?>
        {
            ["Akka:AccountIdleSeconds"] = idle.ToString(C),
            ["Akka:AskTimeoutSeconds"] = "30",
        });
        host.Start();
        await host.WaitReadyAsync(TimeSpan.FromSeconds(90));
        await Task.Delay(2000); // let start-up settle before the baseline
        var (empty, emptyHeap) = await Measure(host);
        Progress($"{label}: empty Host RSS {empty / MiB:F0} MiB, heap {emptyHeap / MiB:F1} MiB");

        // install: a sandbox account each, then the operator API's install (journals AccountInstalled; the account is awake)
        var accounts = new BenchAccount[size];
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            // a subdomain of its own: the sandbox's random ones (8 hex digits) collide among tens of thousands
            var created = await sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = $"p4-{i}" });
            var a = new BenchAccount(created["id"]!.GetValue<long>(), created["referer"]!.GetValue<string>(), created["admin_token"]!.GetValue<string>(), created["admin_user_id"]!.GetValue<long>(), 1);
            await host.InstallAsync(a);
            accounts[i] = a;
            var n = Interlocked.Increment(ref done);
            if (n % 5000 == 0) Progress($"{label}: {n}/{size} installed, {clock.Elapsed.TotalSeconds:F0} s, RSS {host.RssBytes() / MiB:F0} MiB");
        });
        var installSeconds = clock.Elapsed.TotalSeconds;
        Progress($"{label}: {size} installed in {installSeconds:F0} s; waiting for every account to passivate (idle {idle} s)");
        await WaitAwake(host, n => n == 0, TimeSpan.FromSeconds(idle * 3 + 120), label);
        var (passivated, passivatedHeap) = await Measure(host);
        var journal = host.DataBytes();
        Progress($"{label}: all passivated: RSS {passivated / MiB:F0} MiB, heap {passivatedHeap / MiB:F1} MiB");

        // time to wake one: passivated accounts asked one at a time (GET /admin/v1/accounts/{id} recovers it from the journal)
        var wake = new List<double>();
        foreach (var a in accounts.Take(sample)) wake.Add(await Timed(host, a.Id));
        // the same call to an account that is awake: what of the wake time is the HTTP round trip and the ask
        var awake = new List<double>();
        foreach (var a in accounts.Take(sample)) awake.Add(await Timed(host, a.Id));

        // memory while active: K accounts woken together and held awake (they passivate again after the idle time)
        clock.Restart();
        await Parallel.ForEachAsync(accounts.Take(active), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (a, _) => await Timed(host, a.Id));
        var wokenIn = clock.Elapsed.TotalSeconds;
        var awakeNow = (await host.MetricsAsync()).GetValueOrDefault("dealcopy_accounts_active");
        var (activeRss, activeHeap) = await Measure(host);
        var awakeAfter = (await host.MetricsAsync()).GetValueOrDefault("dealcopy_accounts_active");
        Progress($"{label}: {active} woken in {wokenIn:F1} s, {awakeNow} awake ({awakeAfter} after the GC): RSS {activeRss / MiB:F0} MiB, heap {activeHeap / MiB:F1} MiB");
        if (wokenIn > idle) Progress($"{label}: WARNING waking took longer than the idle time: some accounts passivated again");
        var awakeCount = Math.Min(awakeNow, awakeAfter);

        return [
            size.ToString(C), $"{installSeconds:F0} ({size / installSeconds:F0})", (empty / MiB).ToString("F0", C), (passivated / MiB).ToString("F0", C),
            ((passivated - empty) / 1024.0 / size).ToString("F2", C), (emptyHeap / MiB).ToString("F1", C), (passivatedHeap / MiB).ToString("F1", C),
            ((passivatedHeap - emptyHeap) / 1024.0 / size).ToString("F2", C), awakeCount.ToString("F0", C),
            ((activeRss - passivated) / 1024.0 / awakeCount).ToString("F1", C), ((activeHeap - passivatedHeap) / 1024.0 / awakeCount).ToString("F1", C),
            (journal / (double)size).ToString("F0", C),
            Median(wake).ToString("F1", C), Percentile(wake, 99).ToString("F1", C), Median(awake).ToString("F1", C),
        ];
    }

    private static async Task<double> Timed(HostProcess host, long id)
    {
        var started = Stopwatch.GetTimestamp();
        var status = await host.GetAsync($"admin/v1/accounts/{id}");
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (status?["installed"]?.GetValue<bool>() != true) throw new InvalidOperationException($"account {id} is not installed: {status?.ToJsonString() ?? "no answer"}");
        return ms;
    }

    private static async Task<(double Rss, double Heap)> Measure(HostProcess host)
    {
        var (before, after) = await host.FullGcAsync();
        if (after <= before) Progress("WARNING: no GC was induced; the heap is that of the last GC");
        var metrics = await host.MetricsAsync();
        return (host.RssBytes(), metrics.GetValueOrDefault("dotnet_gc_last_collection_heap_size_bytes"));
    }

    private static async Task WaitAwake(HostProcess host, Func<double, bool> until, TimeSpan within, string label)
    {
        var by = DateTime.UtcNow + within;
        var last = DateTime.UtcNow;
        while (true)
        {
            var n = (await host.MetricsAsync()).GetValueOrDefault("dealcopy_accounts_active");
            if (until(n)) return;
            if (DateTime.UtcNow > by) throw new TimeoutException($"{label}: still {n} accounts awake after {within}");
            if (DateTime.UtcNow - last > TimeSpan.FromSeconds(10))
            {
                Progress($"{label}: {n} accounts awake");
                last = DateTime.UtcNow;
            }
            await Task.Delay(1000); // poll interval
        }
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
