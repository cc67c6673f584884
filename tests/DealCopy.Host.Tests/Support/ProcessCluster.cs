using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// N Host processes on loopback sharing one PostgreSQL journal; every node lists every node as a seed, so a node
/// restarted on its address rejoins whoever is up. Failures quote the nodes' output.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private ProcessCluster(IReadOnlyList<ProcessNode> nodes) => Nodes = nodes;

    public IReadOnlyList<ProcessNode> Nodes { get; }

    public IEnumerable<ProcessNode> Running => Nodes.Where(n => n.Running);

    /// <summary>What every node printed, for failure messages.</summary>
    public string Output => string.Join("\n", Nodes.Select(n => n.Output));

    /// <summary>Starts <paramref name="size"/> nodes at once and waits until each sees all of them Up.</summary>
    public static async Task<ProcessCluster> StartAsync(AmoSandboxServer sandbox, string postgres, int size, IDictionary<string, string?>? overrides = null)
    {
        var free = ProcessNode.FreePorts(2 * size);
        var ports = Enumerable.Range(0, size).Select(i => (Http: free[2 * i], Akka: free[2 * i + 1])).ToList();
        var seeds = ports.Select(p => $"akka.tcp://dealcopy@127.0.0.1:{p.Akka}").ToList();
        var cluster = new ProcessCluster(ports.Select((p, i) => ProcessNode.Create($"node{i + 1}", sandbox, postgres, p.Http, p.Akka, seeds, overrides)).ToList());
        try
        {
            foreach (var node in cluster.Nodes) node.Start();
            await Task.WhenAll(cluster.Nodes.Select(n => n.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
            await cluster.WaitMembersAsync(cluster.Nodes, TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until every running node sees exactly <paramref name="expected"/> as members, all Up, and nobody
    /// unreachable: a crashed node has been downed and removed, a restarted one has joined.
    /// </summary>
    public async Task WaitMembersAsync(IReadOnlyCollection<ProcessNode> expected, TimeSpan within)
    {
        var want = expected.Select(n => n.Address).Order(StringComparer.Ordinal).ToList();
        foreach (var node in expected)
        {
            await Poll.UntilAsync(async () => await TryAdminAsync(node, "cluster"), view => view is not null && Sees(view, want), within,
                view => $"{node.Name} does not see exactly [{string.Join(", ", want)}] Up: {view?.ToJsonString() ?? "no answer"}\n{Output}");
        }
    }

    private static bool Sees(JsonNode view, List<string> want) =>
        view["unreachable"]!.AsArray().Count == 0 &&
        view["members"]!.AsArray().All(m => m!["status"]!.GetValue<string>() == "Up") &&
        view["members"]!.AsArray().Select(m => m!["address"]!.GetValue<string>()).Order(StringComparer.Ordinal).SequenceEqual(want);

    /// <summary>The running nodes whose shard region holds <paramref name="accountId"/> (asks the regions, sends the account nothing).</summary>
    public async Task<List<ProcessNode>> HoldersOfAsync(long accountId)
    {
        var holders = new List<ProcessNode>();
        foreach (var node in Running)
            if (await node.HoldsAccountAsync(accountId)) holders.Add(node);
        return holders;
    }

    /// <summary>The running node whose shard region holds <paramref name="accountId"/> (exactly one may).</summary>
    public async Task<ProcessNode> HolderOfAsync(long accountId)
    {
        var holders = await HoldersOfAsync(accountId);
        Assert.True(holders.Count == 1, $"account {accountId} is held by [{string.Join(", ", holders.Select(h => h.Name))}], not by exactly one node");
        return holders[0];
    }

    /// <summary>
    /// Polls the job through the running nodes until it is finished. While an account moves between nodes a call may
    /// time out (503) or hit a node that is going away: such answers count as "not yet".
    /// </summary>
    public async Task<JsonObject> WaitJobAsync(string id, TimeSpan within) =>
        (await Poll.UntilAsync(async () =>
            {
                foreach (var node in Running)
                {
                    try
                    {
                        using var r = await node.CallAsync(HttpMethod.Get, $"api/v1/copies/{id}");
                        if (r.IsSuccessStatusCode) return (JsonObject?)JsonNode.Parse(await r.Content.ReadAsStringAsync());
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException)
                    {
                    }
                }
                return null;
            }, job => job?["status"]?.GetValue<string>() is "completed" or "completed_with_errors" or "failed", within,
            job => $"job {id} did not finish: {job?.ToJsonString() ?? "no node answered"}\n{Output}"))!;

    private static async Task<JsonNode?> TryAdminAsync(ProcessNode node, string path)
    {
        try
        {
            return await node.AdminGetAsync(path);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}
