using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace DealCopy.Cli;

/// <summary>Why a command could not be done, with the exit code the CLI ends with (docs/OPERATIONS.md).</summary>
public sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Exit codes of <c>dealcopy</c>: stable, scripts rely on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command line is wrong (System.CommandLine's own answer).</summary>
    public const int Usage = 1;
    /// <summary>The node answered with a refusal (problem+json: its code and detail are printed).</summary>
    public const int Refused = 2;
    /// <summary>The node could not be reached or did not answer in time.</summary>
    public const int Unreachable = 3;
    /// <summary>The operator token is missing or wrong.</summary>
    public const int Unauthorized = 4;
}

/// <summary>The operator API over HTTP: bearer <c>Admin:Token</c>, JSON in and out, refusals as <see cref="CliFailure"/>.</summary>
public sealed class AdminClient(Uri baseAddress, string? token, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseAddress.ToString().TrimEnd('/') + "/"), Timeout = timeout };

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonNode> PostAsync(string path, JsonObject? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
            throw new CliFailure(ExitCodes.Unauthorized, "No operator token: pass --token or set DEALCOPY_ADMIN_TOKEN (the node's Admin:Token).");
        using var request = new HttpRequestMessage(method, "admin/v1/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure(ExitCodes.Unreachable, $"Cannot reach the node at {_http.BaseAddress}: {e.Message} (is it running, and is --url / DEALCOPY_ADMIN_URL its Admin:Urls?)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliFailure(ExitCodes.Unreachable, $"The node at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s.");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? json = null;
            try { json = text.Length == 0 ? null : JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { }
            if (response.IsSuccessStatusCode && json is not null) return json;
            var code = json?["code"]?.GetValue<string>();
            var detail = json?["detail"]?.GetValue<string>();
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new CliFailure(ExitCodes.Unauthorized, $"The node refused the operator token ({code ?? "401"}): check --token / DEALCOPY_ADMIN_TOKEN against the node's Admin:Token.");
            if (response.StatusCode == HttpStatusCode.NotFound && code == "route.not_found")
                throw new CliFailure(ExitCodes.Unreachable, $"{_http.BaseAddress} has no operator API here (404): the node sets no Admin:Token, or this is not its Admin:Urls.");
            if ((int)response.StatusCode >= 500 || json is null)
                throw new CliFailure(ExitCodes.Unreachable, $"The node answered {(int)response.StatusCode}{(code is null ? "" : $" ({code})")}: {detail ?? text}");
            var refusals = json["refusals"] is JsonArray list ? string.Concat(list.Select(r => $"\n  {r?["field"]}: {r?["message"]}")) : "";
            throw new CliFailure(ExitCodes.Refused, $"{code}: {detail}{refusals}");
        }
    }

    public void Dispose() => _http.Dispose();
}
