using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// One sandbox with the demo account and one Host per test. Every test ends by checking what amoCRM
/// would have seen: never more than the configured requests in any sliding second, never a 429.
/// </summary>
public abstract class HostTestBase : IAsyncLifetime
{
    // demo account ids (docs/SANDBOX.md): fixed on every start
    protected const long Sales = 7100001, Repeat = 7100002, Delivery = 7100003, Archive = 7100004;
    protected const long SalesUnsorted = 61000001, SalesFirst = 61000002, SalesTalks = 61000003, SalesDecision = 61000004;
    protected const long RepeatFirst = 61000007, DeliveryInTransit = 61000012;
    protected const long Reference = 20000001, Admin = 5000001, Boris = 5000002, Vera = 5000003, Gleb = 5000004, Inactive = 5000005, FreeSeat = 5000006;

    protected AmoSandboxServer Sandbox { get; private set; } = null!;
    protected TestHost Host { get; set; } = null!;
    protected string DataPath { get; } = Path.Combine(Path.GetTempPath(), "dealcopy-tests-" + Guid.NewGuid().ToString("N"));

    protected virtual void ConfigureSandbox(SandboxOptions o)
    {
    }

    protected virtual string? Postgres => null;

    /// <summary>The clock of delayed repeat deals; null = the system clock.</summary>
    protected virtual TimeProvider? JobClock => null;

    /// <summary>Host settings of this test class on top of TestHost's.</summary>
    protected virtual IDictionary<string, string?>? HostSettings => null;

    public virtual async Task InitializeAsync()
    {
        Sandbox = await AmoSandboxServer.StartAsync(ConfigureSandbox);
        Host = await TestHost.StartAsync(Sandbox, DataPath, Postgres, HostSettings, JobClock);
        await Host.InstallDemoAsync();
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            await AssertPacedAsync();
        }
        finally
        {
            await Host.DisposeAsync();
            await Sandbox.DisposeAsync();
            try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The rule of the house: ≤ N requests in every sliding second of the account, and no 429 (ARCHITECTURE §3.2).</summary>
    protected async Task AssertPacedAsync(long? accountId = null)
    {
        var log = await Sandbox.Control.RequestsAsync(accountId ?? Sandbox.DemoAccountId);
        Assert.DoesNotContain(log, e => e.Status == 429);
        var times = log.Select(e => e.AtMs).OrderBy(t => t).ToList();
        var busiest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u < t + 1000).Count()).DefaultIfEmpty(0).Max();
        Assert.True(busiest <= Sandbox.Options.RequestsPerSecond, $"{busiest} requests in one second; the limit is {Sandbox.Options.RequestsPerSecond}");
    }

    protected Task<JsonObject> DumpAsync(long? accountId = null) => Sandbox.Control.DumpAsync(accountId ?? Sandbox.DemoAccountId);

    protected static JsonObject LeadIn(JsonObject dump, long id) =>
        dump["leads"]!.AsArray().Select(n => n!.AsObject()).Single(l => l["id"]!.GetValue<long>() == id);

    protected static IEnumerable<JsonObject> Leads(JsonObject dump) => dump["leads"]!.AsArray().Select(n => n!.AsObject());

    /// <summary>The copies a job made, found in amoCRM by their marker field (not by what the job says).</summary>
    protected static List<JsonObject> CopiesOf(JsonObject dump, string jobId) =>
        Leads(dump).Where(l => Marker(l) is { } m && m.Contains($"#dealcopy-{jobId}-", StringComparison.Ordinal)).ToList();

    protected static string? Marker(JsonObject lead) =>
        lead["custom_fields_values"] is JsonArray values
            ? values.Select(v => v!.AsObject()).FirstOrDefault(v => v["field_code"]?.GetValue<string>() == "DEALCOPY_SOURCE")?["values"]?[0]?["value"]?.GetValue<string>()
            : null;

    protected static long SourceOf(JsonObject copy) =>
        long.Parse(Marker(copy)!.Split("/leads/detail/")[1].Split('#')[0], System.Globalization.CultureInfo.InvariantCulture);

    protected async Task<string> StartCopyAsync(object body)
    {
        var (status, answer) = await Host.PostCopyAsync(body);
        Assert.True(status == 202, $"expected 202, got {status}: {answer.ToJsonString()}");
        return answer["id"]!.GetValue<string>();
    }

    protected async Task<JsonObject> CopyAndWaitAsync(object body, TimeSpan? within = null)
    {
        var id = await StartCopyAsync(body);
        return await Host.WaitJobAsync(id, within);
    }

    protected static long CopyId(JsonObject job, long sourceId, int n = 1) =>
        job["deals"]!.AsArray().Single(d => d!["source_id"]!.GetValue<long>() == sourceId)!["copies"]!.AsArray()
            .Single(c => c!["n"]!.GetValue<int>() == n)!["lead_id"]!.GetValue<long>();
}
