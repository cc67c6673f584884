using DealCopy.AmoSandbox;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Cli.Tests.Support;

/// <summary>Two Host nodes on loopback in one cluster, one PostgreSQL journal, the sandbox as amoCRM (as ClusterTests start them).</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    private readonly string _postgres = PostgresDatabase.Create();
    private readonly string[] _data = [NewDir("a"), NewDir("b")];

    public AmoSandboxServer Sandbox { get; private set; } = null!;
    public TestHost A { get; private set; } = null!;
    public TestHost B { get; private set; } = null!;
    public string AddressA { get; private set; } = "";
    public string AddressB { get; private set; } = "";

    private static string NewDir(string name) => Path.Combine(Path.GetTempPath(), $"dealcopy-cli-{name}-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Sandbox = await AmoSandboxServer.StartAsync();
        // Information: log peek has the nodes' own lines to show
        var settings = new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" };
        A = await TestHost.StartAsync(Sandbox, _data[0], _postgres, settings);
        AddressA = (await A.AdminGetAsync("cluster"))["self"]!.GetValue<string>();
        B = await TestHost.StartAsync(Sandbox, _data[1], _postgres, new Dictionary<string, string?>(settings) { ["Akka:SeedNodes:0"] = AddressA });
        AddressB = (await B.AdminGetAsync("cluster"))["self"]!.GetValue<string>();
        await Poll.UntilAsync(() => A.AdminGetAsync("cluster"), c => c["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Up") == 2,
            TimeSpan.FromSeconds(30), c => "the two nodes did not form a cluster: " + c.ToJsonString());
        await A.InstallDemoAsync();
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Sandbox.DisposeAsync();
        foreach (var dir in _data)
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
