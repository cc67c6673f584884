using DealCopy.Bench;

namespace DealCopy.Host.Tests;

/// <summary>The benchmarks of docs/PERFORMANCE.md still run (bench/run.sh smoke): tiny sizes, the real latency and limits.</summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task Every_figure_runs_at_tiny_sizes_within_amoCRMs_limit_a_single_copy_fits_one_rate_window_and_no_hook_is_lost()
    {
        var result = await Smoke.Run(BenchOptions.Parse(["--latency", "80", "--jitter", "20"]));

        // each figure checks in the sandbox that every copy is whole (deals, notes, tasks, products) or throws
        Assert.All(result.P1.Concat(result.P1Base), s =>
        {
            Assert.Equal(0, s.Limited);
            Assert.InRange(s.Busiest, 1, 7);
        });
        Assert.True(result.P1[0].Requests <= FullDeal.FewestRequests(20) + 10, $"one job of 20 deals made {result.P1[0].Requests} requests: {result.P1[0].KindsText()}");
        Assert.Equal(8 * 2, result.P1Base[0].Requests); // the per-deal way: 8 requests a deal
        Assert.All(result.P2Calls, calls => Assert.InRange(calls, 1, 7));
        Assert.Equal(0, result.P3Lost); // every hook accepted, and each accepted hook's job is in the journal
    }
}
