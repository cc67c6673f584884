using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox;

/// <summary>A typed client of the sandbox control API (docs/SANDBOX.md), for tests, the Host's sandbox mode and benchmarks.</summary>
public sealed class SandboxControlClient : IDisposable
{
    private readonly HttpClient _http;

    public SandboxControlClient(Uri baseAddress, string? controlKey = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(controlKey)) _http.DefaultRequestHeaders.Add("X-Sandbox-Key", controlKey);
    }

    public Task ResetAsync(CancellationToken ct = default) => Send(HttpMethod.Post, "_sandbox/reset", null, ct);

    /// <summary>Creates an account from a description; returns the control API's answer (id, subdomain, admin_token, users).</summary>
    public async Task<JsonObject> CreateAccountAsync(JsonObject description, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Post, "_sandbox/accounts", description, ct))!;

    public async Task<JsonObject> DumpAsync(long accountId, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Get, $"_sandbox/accounts/{accountId}/dump", null, ct))!;

    public async Task<string> IssueTokenAsync(long accountId, long? userId = null, int? lifetimeSeconds = null, CancellationToken ct = default) =>
        (await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/tokens", new JsonObject { ["user_id"] = userId, ["lifetime_seconds"] = lifetimeSeconds }, ct))!["access_token"]!.GetValue<string>();

    public async Task<string> IssueAuthCodeAsync(long accountId, long? userId = null, CancellationToken ct = default) =>
        (await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/auth-codes", new JsonObject { ["user_id"] = userId }, ct))!["code"]!.GetValue<string>();

    /// <summary>A disposable widget JWT as amoCRM's frontend would add it in X-Auth-Token.</summary>
    public async Task<string> WidgetTokenAsync(long accountId, long? userId = null, JsonObject? overrides = null, CancellationToken ct = default)
    {
        var body = overrides?.DeepClone() as JsonObject ?? [];
        body["user_id"] ??= userId;
        return (await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/widget-token", body, ct))!["token"]!.GetValue<string>();
    }

    /// <summary>Changes a user as an admin would in amoCRM: <c>rights</c>, <c>is_admin</c>, <c>is_active</c>, <c>is_free</c>, <c>group_id</c>.</summary>
    public async Task<JsonObject> ChangeUserAsync(long accountId, long userId, JsonObject change, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Patch, $"_sandbox/accounts/{accountId}/users/{userId}", change, ct))!;

    public async Task<JsonObject> InstallAsync(long accountId, string? redirectUri = null, string? state = null, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/install", new JsonObject { ["redirect_uri"] = redirectUri, ["state"] = state }, ct))!;

    public async Task<JsonObject> DisconnectAsync(long accountId, string? url = null, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/disconnect", new JsonObject { ["url"] = url }, ct))!;

    public Task SetDpTriggersAsync(long accountId, JsonArray triggers, CancellationToken ct = default) =>
        Send(HttpMethod.Put, $"_sandbox/accounts/{accountId}/dp/triggers", triggers, ct);

    public async Task<JsonObject> MoveLeadsAsync(long accountId, IEnumerable<long> leadIds, long pipelineId, long statusId, string? format = null, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/dp/move", new JsonObject
        {
            ["lead_ids"] = new JsonArray(leadIds.Select(id => (JsonNode)id).ToArray()),
            ["pipeline_id"] = pipelineId, ["status_id"] = statusId, ["format"] = format,
        }, ct))!;

    public async Task<JsonObject> SendDpHookAsync(long accountId, JsonObject hook, CancellationToken ct = default) =>
        (JsonObject)(await Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/dp/send", hook, ct))!;

    public async Task<JsonArray> DpDeliveriesAsync(long accountId, CancellationToken ct = default) =>
        (JsonArray)(await Send(HttpMethod.Get, $"_sandbox/accounts/{accountId}/dp/deliveries", null, ct))!;

    public Task UnblockAsync(long accountId, CancellationToken ct = default) => Send(HttpMethod.Post, $"_sandbox/accounts/{accountId}/unblock", null, ct);

    public async Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(long? accountId = null, long afterId = 0, CancellationToken ct = default)
    {
        var query = $"_sandbox/requests?after_id={afterId}" + (accountId is null ? "" : $"&account_id={accountId}");
        var node = await Send(HttpMethod.Get, query, null, ct);
        return node.Deserialize<List<RequestLogEntry>>(SandboxJson.Options)!;
    }

    public Task ClearRequestsAsync(CancellationToken ct = default) => Send(HttpMethod.Delete, "_sandbox/requests", null, ct);

    public async Task<long> AddFaultAsync(FaultRule rule, CancellationToken ct = default) =>
        (await Send(HttpMethod.Post, "_sandbox/faults", JsonSerializer.SerializeToNode(rule, SandboxJson.Options), ct))!["id"]!.GetValue<long>();

    public Task ClearFaultsAsync(CancellationToken ct = default) => Send(HttpMethod.Delete, "_sandbox/faults", null, ct);

    /// <summary>Deletes a custom field as an admin does in the account's settings (its values go with it).</summary>
    public Task DeleteFieldAsync(long accountId, string entity, long fieldId, CancellationToken ct = default) =>
        Send(HttpMethod.Delete, $"_sandbox/accounts/{accountId}/fields/{entity}/{fieldId}", null, ct);

    public Task RemoveFaultAsync(long id, CancellationToken ct = default) => Send(HttpMethod.Delete, $"_sandbox/faults/{id}", null, ct);

    /// <summary>The active fault rules, with how often each was applied (<c>used</c>).</summary>
    public async Task<IReadOnlyList<FaultRule>> FaultsAsync(CancellationToken ct = default) =>
        (await Send(HttpMethod.Get, "_sandbox/faults", null, ct))!.AsArray().Select(n => n.Deserialize<FaultRule>(SandboxJson.Options)!).ToList();

    public async Task<long> AdvanceClockAsync(long seconds, CancellationToken ct = default) =>
        (await Send(HttpMethod.Post, "_sandbox/clock/advance", new JsonObject { ["seconds"] = seconds }, ct))!["now"]!.GetValue<long>();

    private async Task<JsonNode?> Send(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            if (body is JsonObject o)
                foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) o.Remove(key);
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"sandbox control {method} {path} answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public void Dispose() => _http.Dispose();
}
