using System.Diagnostics;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;
using Xunit.Abstractions;

namespace DealCopy.Host.Tests;

/// <summary>
/// Writes start at amoCRM's maximum (250) and follow its answers: amoCRM answers 504 to writes it cannot finish under
/// load and asks for smaller ones (API-NOTES §3). Here it times out on every write of 60 entities or more, without
/// writing anything: a job that kept sending its chunks of 150 would never finish.
/// </summary>
public sealed class WriteSizeTests(ITestOutputHelper output) : HostTestBase
{
    [Fact]
    public async Task A_copy_that_amoCRM_times_out_on_shrinks_its_writes_and_still_makes_every_copy_once()
    {
        var before = await DumpAsync();
        var sources = Leads(before).Where(l => l["pipeline_id"]!.GetValue<long>() is Sales or Delivery && l["name"]!.GetValue<string>() != "Сделка с длинным текстом")
            .Select(l => l["id"]!.GetValue<long>()).Take(150).ToArray();
        Assert.Equal(150, sources.Length);
        await Sandbox.Control.AddFaultAsync(new FaultRule { Path = "/api/v4/*", Method = "POST", Kind = "status", Status = 504, MinEntities = 60 });
        await Sandbox.Control.ClearRequestsAsync();
        var clock = Stopwatch.StartNew();

        var (status, accepted) = await Host.PostCopyAsync(new
        {
            lead_ids = sources, target = new { pipeline_id = Repeat },
            copy = new { notes = true, open_tasks = true, finished_tasks = true },
        });
        Assert.Equal(202, status);
        var id = accepted["id"]!.GetValue<string>();
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(120));
        var log = (await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId)).Where(e => e.Method == "POST").ToList();
        var timedOut = log.Count(e => e.Status == 504);
        var answered = log.Count(e => e.Status is >= 200 and < 300);
        output.WriteLine($"job {job["status"]} after {clock.Elapsed}: {answered} writes answered, {timedOut} timed out, {job["retries"]} retries");

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var problems = Bench.Faults.CopiesExactlyOnce(before, await DumpAsync(), sources, [id], "dealcopy-demo.amocrm.ru", copiesPerSource: 1);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        // it learnt: after the first 504s most writes fit (two 504s in a row halve the size; 8 writes that fit double it)
        Assert.True(timedOut >= 2, "amoCRM never timed out: the test did not send a large write");
        Assert.True(timedOut * 2 <= answered, $"{timedOut} writes timed out against {answered} answered: the write size did not follow amoCRM");
    }
}
