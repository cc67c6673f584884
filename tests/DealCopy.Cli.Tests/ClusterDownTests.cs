using DealCopy.Cli.Tests.Support;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Cli.Tests;

/// <summary><c>dealcopy cluster down</c> of a live node: the node leaves, the other one keeps the accounts.</summary>
public sealed class ClusterDownTests : IAsyncLifetime
{
    private readonly TwoNodes _nodes = new();

    public Task InitializeAsync() => _nodes.InitializeAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync();

    [Fact]
    public async Task Cluster_down_of_a_node_makes_it_leave_and_the_other_keeps_the_accounts()
    {
        var b = new Uri(_nodes.AddressB);
        var down = await CliProcess.RunAsync(_nodes.A.BaseAddress, TestHost.AdminToken, "cluster", "down", $"{b.Host}:{b.Port}");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"Marked {_nodes.AddressB} down", down.Out);

        await Poll.UntilAsync(() => CliProcess.RunAsync(_nodes.A.BaseAddress, TestHost.AdminToken, "cluster", "show", "--json"),
            r => r.ExitCode == 0 && r.Json["members"]!.AsArray().Select(m => m!["address"]!.GetValue<string>()).SequenceEqual([_nodes.AddressA]),
            TimeSpan.FromSeconds(30), r => "B is still a member: " + r);
        // B itself is no longer a ready cluster node
        await Poll.UntilAsync(async () => { using var r = await _nodes.B.Http.GetAsync("healthz/ready"); return (int)r.StatusCode; },
            s => s == 503, TimeSpan.FromSeconds(30), s => $"B still answers ready ({s})");
        // the account still answers, now from A
        await Poll.UntilAsync(WakeAsync, h => h, TimeSpan.FromSeconds(30), _ => "A never took the account");
    }

    private async Task<bool> WakeAsync()
    {
        var show = await CliProcess.RunAsync(_nodes.A.BaseAddress, TestHost.AdminToken, "account", "show", _nodes.Sandbox.DemoAccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        return show.ExitCode == 0 && show.Json["installed"]!.GetValue<bool>() && await _nodes.A.HoldsAccountAsync(_nodes.Sandbox.DemoAccountId);
    }
}
