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
    protected Task AssertPacedAsync(long? accountId = null) => SandboxChecks.AssertPacedAsync(Sandbox, accountId ?? Sandbox.DemoAccountId);

    protected Task<JsonObject> DumpAsync(long? accountId = null) => Sandbox.Control.DumpAsync(accountId ?? Sandbox.DemoAccountId);

    protected static JsonObject LeadIn(JsonObject dump, long id) =>
        dump["leads"]!.AsArray().Select(n => n!.AsObject()).Single(l => l["id"]!.GetValue<long>() == id);

    protected static IEnumerable<JsonObject> Leads(JsonObject dump) => SandboxChecks.Leads(dump);

    protected static IEnumerable<JsonObject> TasksOf(JsonObject dump, long leadId) => SandboxChecks.TasksOf(dump, leadId);

    protected static List<JsonObject> CopiesOf(JsonObject dump, string jobId) => SandboxChecks.CopiesOf(dump, jobId);

    protected static string? Marker(JsonObject lead) => SandboxChecks.Marker(lead);

    protected static long SourceOf(JsonObject copy) => SandboxChecks.SourceOf(copy);

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
