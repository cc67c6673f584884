using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>Accepted means done, exactly once: across a node stop, and after answers amoCRM never sent back.</summary>
public abstract class ExactlyOnceTests : HostTestBase
{
    // creates of 50, not 250: the stop must land between the first creates and the last
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?> { ["Amo:MaxCreateBatch"] = "50" };

    private long[] SomeDeals(JsonObject dump, int count) =>
        Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() != Archive).Select(l => l["id"]!.GetValue<long>()).Take(count).ToArray();

    [Fact]
    public async Task A_job_interrupted_by_a_node_stop_finishes_after_restart_with_every_copy_exactly_once()
    {
        var sources = SomeDeals(await DumpAsync(), 200);
        // slow creates down so that the stop lands in the middle of the job
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "latency", LatencyMs = 700 });
        var id = await StartCopyAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat }, copy = new { notes = true } });

        await Poll.UntilAsync(() => Host.JobAsync(id), job => job["done"]!.GetValue<int>() >= 50, TimeSpan.FromSeconds(60), job => "the job never got going: " + job.ToJsonString());
        await Host.StopAsync(); // the node goes down mid-job: creates may be in flight
        var madeBeforeRestart = CopiesOf(await DumpAsync(), id).Count;
        Assert.InRange(madeBeforeRestart, 50, 199);

        await Sandbox.Control.ClearFaultsAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath, Postgres, HostSettings); // same journal; nobody re-sends the request
        var job = await Host.WaitJobAsync(id, TimeSpan.FromSeconds(90));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var copies = CopiesOf(await DumpAsync(), id);
        Assert.Equal(sources.OrderBy(x => x), copies.Select(SourceOf).OrderBy(x => x)); // each source once, none twice
        var trace = (await DumpAsync())["notes"]!.AsArray().Select(n => n!.AsObject())
            .Where(n => n["params"]!["text"]?.GetValue<string>()?.StartsWith("Копия сделки #", StringComparison.Ordinal) == true && copies.Any(c => c["id"]!.GetValue<long>() == n["entity_id"]!.GetValue<long>()))
            .GroupBy(n => n["entity_id"]!.GetValue<long>()).ToList();
        Assert.Equal(copies.Count, trace.Count);
        Assert.All(trace, g => Assert.Single(g)); // the trace note too: once per copy
    }

    [Fact]
    public async Task A_lost_answer_to_a_create_does_not_make_a_duplicate()
    {
        var sources = SomeDeals(await DumpAsync(), 30);
        // amoCRM commits the create, the connection drops before the answer
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads", Kind = "lost_response", Count = 1 });
        var job = await CopyAndWaitAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } }, TimeSpan.FromSeconds(90));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var copies = CopiesOf(await DumpAsync(), job["id"]!.GetValue<string>());
        Assert.Equal(sources.OrderBy(x => x), copies.Select(SourceOf).OrderBy(x => x));
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.Contains(log, e => e.Fault == "lost_response");
    }

    [Fact]
    public async Task A_lost_answer_to_the_notes_does_not_write_them_twice()
    {
        await Sandbox.Control.AddFaultAsync(new FaultRule { Method = "POST", Path = "/api/v4/leads/notes", Kind = "lost_response", Count = 1 });
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat }, copy = new { notes = true } }, TimeSpan.FromSeconds(90));

        var copy = CopyId(job, Reference);
        var notes = (await DumpAsync())["notes"]!.AsArray().Select(n => n!.AsObject()).Where(n => n["entity_id"]!.GetValue<long>() == copy).ToList();
        Assert.NotEmpty(notes);
        Assert.Equal(notes.Count, notes.Select(n => n["note_type"] + n["params"]!.ToJsonString()).Distinct().Count());
    }
}

/// <summary>The journal on the embedded default: a SQLite file.</summary>
public sealed class ExactlyOnceOnSqliteTests : ExactlyOnceTests;

/// <summary>The journal on a real PostgreSQL server (./test.sh starts one and sets DEALCOPY_TEST_POSTGRES).</summary>
public sealed class ExactlyOnceOnPostgresTests : ExactlyOnceTests
{
    private readonly string _postgres = PostgresDatabase.Create();

    protected override string? Postgres => _postgres;
}
