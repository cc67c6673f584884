using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>Never a copy without its marker: an admin deletes the marker field while a job runs and answers get lost.</summary>
public sealed class MarkerFieldTests : HostTestBase
{
    // small create batches: the job makes many creates, so the field can go in the middle of them
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?> { ["Amo:MaxCreateBatch"] = "4" };

    private static long MarkerFieldId(JsonObject dump) =>
        dump["lead_fields"]!.AsArray().Single(f => f!["code"]?.GetValue<string>() == "DEALCOPY_SOURCE")!["id"]!.GetValue<long>();

    [Fact]
    public async Task The_marker_field_deleted_mid_run_with_lost_answers_gives_exactly_one_marked_copy_per_deal()
    {
        var before = await DumpAsync();
        var sources = Leads(before).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales).Select(l => l["id"]!.GetValue<long>()).Take(60).ToArray();
        var existing = Leads(before).Select(l => l["id"]!.GetValue<long>()).ToHashSet();
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "lost_response", Rate = 0.15 });
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 150 });
        var id = await StartCopyAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } });

        await Poll.UntilAsync(() => Host.JobAsync(id), job => job["done"]!.GetValue<int>() >= 12, TimeSpan.FromSeconds(60), job => "the job never got going: " + job.ToJsonString());
        var deleted = MarkerFieldId(await DumpAsync());
        // what an admin does in the account's settings: the field and every value in it are gone
        await Sandbox.Control.DeleteFieldAsync(Sandbox.DemoAccountId, "leads", deleted);
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(120));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var after = await DumpAsync();
        Assert.NotEqual(deleted, MarkerFieldId(after)); // made again
        var made = Leads(after).Where(l => !existing.Contains(l["id"]!.GetValue<long>())).ToList();
        Assert.All(made, l => Assert.NotNull(Marker(l))); // not one deal without a marker
        Assert.Equal(sources.Order(), CopiesOf(after, id).Select(SourceOf).Order()); // each source exactly once
        Assert.Equal(sources.Length, made.Count);
        Assert.Contains(await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId), e => e.Fault == "lost_response");
    }
}
