using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;

namespace DealCopy.Host.Tests.Support;

/// <summary>What amoCRM (the sandbox) holds and saw, read the way a user or amoCRM would judge a test.</summary>
public static class SandboxChecks
{
    public static IEnumerable<JsonObject> Leads(JsonObject dump) => dump["leads"]!.AsArray().Select(n => n!.AsObject());

    public static IEnumerable<JsonObject> TasksOf(JsonObject dump, long leadId) =>
        dump["tasks"]!.AsArray().Select(n => n!.AsObject()).Where(t => t["entity_id"]?.GetValue<long>() == leadId);

    public static string? Marker(JsonObject lead) =>
        lead["custom_fields_values"] is JsonArray values
            ? values.Select(v => v!.AsObject()).FirstOrDefault(v => v["field_code"]?.GetValue<string>() == "DEALCOPY_SOURCE")?["values"]?[0]?["value"]?.GetValue<string>()
            : null;

    /// <summary>The copies a job made, found in amoCRM by their marker field (not by what the job says).</summary>
    public static List<JsonObject> CopiesOf(JsonObject dump, string jobId) =>
        Leads(dump).Where(l => Marker(l) is { } m && m.Contains($"#dealcopy-{jobId}-", StringComparison.Ordinal)).ToList();

    public static long SourceOf(JsonObject copy) =>
        long.Parse(Marker(copy)!.Split("/leads/detail/")[1].Split('#')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// The rule of the house: ≤ N requests in every sliding second of the account, and no 429 (ARCHITECTURE §3.2)
    /// of amoCRM's limiter (a 429 a test injected as a fault is amoCRM's weather, not our pace).
    /// </summary>
    public static async Task AssertPacedAsync(AmoSandboxServer sandbox, long accountId)
    {
        var log = await sandbox.Control.RequestsAsync(accountId);
        Assert.DoesNotContain(log, e => e.Status == 429 && e.Fault is null);
        var times = log.Select(e => e.AtMs).OrderBy(t => t).ToList();
        var busiest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u < t + 1000).Count()).DefaultIfEmpty(0).Max();
        Assert.True(busiest <= sandbox.Options.RequestsPerSecond, $"{busiest} requests in one second; the limit is {sandbox.Options.RequestsPerSecond}");
    }

    /// <summary>Whether the account's entity is alive on the node behind <paramref name="http"/> (the operator's sharding view; it sends the entity nothing).</summary>
    public static async Task<bool> AccountAwakeAsync(HttpClient http, string adminToken, long accountId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/v1/cluster/sharding");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"admin/v1/cluster/sharding: {(int)response.StatusCode} {body}");
        var state = JsonNode.Parse(body)!;
        Assert.Equal("account", state["region"]!.GetValue<string>());
        return state["shards"]!.AsArray().SelectMany(s => s!["entities"]!.AsArray())
            .Any(e => e!.GetValue<string>() == accountId.ToString(CultureInfo.InvariantCulture));
    }
}
