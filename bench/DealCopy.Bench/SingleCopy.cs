using System.Diagnostics;
using DealCopy.AmoSandbox.Platform;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>P2: one full deal, click → the copy exists, at amoCRM's latency.</summary>
public static class SingleCopy
{
    public static async Task<IReadOnlyList<int>> P2(BenchOptions o)
    {
        var clicks = o.Int("clicks", 200);
        var accountsCount = o.Int("accounts", 8);
        var rows = new List<IReadOnlyList<string>>();
        var callsSeen = new List<string>();
        var allCalls = new List<int>();
        for (var run = 1; run <= o.Runs; run++)
        {
            await using var stack = await Stack.StartAsync(o);
            // clicks rotate over several accounts, as a user's clicks a few seconds apart would: each click meets
            // its account's rate window empty (one account's own clicks wait for its window, shown separately)
            var accounts = new List<(BenchAccount Account, long[] Ids)>();
            for (var a = 0; a < accountsCount; a++)
            {
                var account = await stack.AddAccountAsync(clicks / accountsCount + 2);
                var ids = await stack.LeadIdsAsync(account);
                await stack.WaitAsync(account, [await stack.StartCopyAsync(account, Stack.FullCopy([ids[0]], account.PipelineId))], TimeSpan.FromMinutes(2));
                accounts.Add((account, ids));
            }
            await Task.Delay(1100); // the warm-up's slots leave every window

            var walls = new List<double>();
            var overheads = new List<double>();
            var calls = new List<int>();
            var lastEnd = new Dictionary<long, long>();
            for (var i = 0; i < clicks; i++)
            {
                var (account, ids) = accounts[i % accounts.Count];
                if (lastEnd.TryGetValue(account.Id, out var end) && Stopwatch.GetElapsedTime(end) < TimeSpan.FromMilliseconds(1200))
                    await Task.Delay(TimeSpan.FromMilliseconds(1200) - Stopwatch.GetElapsedTime(end));
                var after = (await stack.Sandbox.Control.RequestsAsync(account.Id)).Select(e => e.Id).DefaultIfEmpty(0).Max();
                var source = ids[1 + i / accounts.Count];

                var clock = Stopwatch.StartNew();
                var job = await stack.StartCopyAsync(account, Stack.FullCopy([source], account.PipelineId));
                await stack.WaitAsync(account, [job], TimeSpan.FromMinutes(1), pollMs: 5);
                clock.Stop();
                lastEnd[account.Id] = Stopwatch.GetTimestamp();

                var log = (await stack.Sandbox.Control.RequestsAsync(account.Id, after)).ToList();
                var inAmo = InFlight(log);
                walls.Add(clock.Elapsed.TotalMilliseconds);
                overheads.Add(clock.Elapsed.TotalMilliseconds - inAmo);
                calls.Add(log.Count);
                if (i == 0 && run == 1) callsSeen.Add(string.Join(" → ", log.OrderBy(e => e.AtMs).Select(CallStats.Kind)));
                if (i % 25 == 24) Progress($"p2 run {run}/{o.Runs}: {i + 1}/{clicks} clicks, median {Median(walls):F0} ms");
            }
            allCalls.AddRange(calls);
            rows.Add([
                run.ToString(C), clicks.ToString(C), Median(calls.Select(c => (double)c)).ToString("F0", C),
                (Median(calls.Select(c => (double)c)) * o.LatencyMs).ToString("F0", C),
                Median(walls).ToString("F0", C), Percentile(walls, 99).ToString("F0", C),
                Median(overheads).ToString("F0", C), Percentile(overheads, 99).ToString("F0", C),
            ]);
        }
        Header("P2: one full deal, click → the copy exists (job completed as the widget sees it)", o,
            $"bench/run.sh p2 --clicks {clicks} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}");
        Table(["run", "clicks", "amoCRM calls", "calls × latency ms", "wall p50 ms", "wall p99 ms", "our overhead p50 ms", "our overhead p99 ms"], rows);
        Console.WriteLine();
        Console.WriteLine("the calls of one copy, in order: " + callsSeen.FirstOrDefault());
        Console.WriteLine("our overhead = wall time − time with at least one amoCRM request in flight (it includes any wait for a rate slot)");
        return allCalls;
    }

    /// <summary>Milliseconds during which at least one of these requests was inside amoCRM (latency included).</summary>
    public static double InFlight(IEnumerable<RequestLogEntry> log)
    {
        double total = 0;
        long? start = null, stop = null;
        foreach (var e in log.OrderBy(e => e.ReceivedMs))
        {
            if (start is null || e.ReceivedMs > stop)
            {
                if (start is not null) total += stop!.Value - start.Value;
                start = e.ReceivedMs;
                stop = e.AnsweredMs;
            }
            else stop = Math.Max(stop!.Value, e.AnsweredMs);
        }
        if (start is not null) total += stop!.Value - start.Value;
        return total;
    }
}
