using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Control;

/// <summary>
/// Plays amoCRM's outgoing side: Digital Pipeline hooks (API-NOTES §17.1), the widget-enable call to
/// the redirect URI (§1.4) and the disconnect hook (§1.6). Each is sent once, with a short timeout and
/// no retry, and every delivery is recorded for assertions.
/// </summary>
public sealed class HookSender(SandboxRuntime rt, IHttpClientFactory httpFactory, ILogger<HookSender> logger)
{
    private readonly List<Task> _inFlight = [];

    public static HookSender Of(HttpContext ctx) => ctx.RequestServices.GetRequiredService<HookSender>();

    /// <summary>Leads entered stages (created there or moved there): post the DP hook of every matching trigger, in the background.</summary>
    public void LeadsEntered(SandboxAccount account, IReadOnlyList<(long LeadId, long PipelineId, long StatusId)> leads)
    {
        var hooks = Matching(account, leads);
        if (hooks.Count == 0) return;
        var task = Task.Run(async () =>
        {
            foreach (var (trigger, lead) in hooks) await SendDp(account, trigger, lead, "went_to_trigger");
        });
        lock (_inFlight)
        {
            _inFlight.RemoveAll(t => t.IsCompleted);
            _inFlight.Add(task);
        }
    }

    /// <summary>Same as <see cref="LeadsEntered"/> but waits for the deliveries (the control API's "move").</summary>
    public async Task<List<HookDelivery>> LeadsEnteredAndWait(SandboxAccount account, IReadOnlyList<(long, long, long)> leads, string? format)
    {
        var result = new List<HookDelivery>();
        foreach (var (trigger, lead) in Matching(account, leads))
            result.Add(await SendDp(account, trigger, lead, "went_to_trigger", format));
        return result;
    }

    private static List<(DpTrigger, (long, long, long))> Matching(SandboxAccount account, IReadOnlyList<(long LeadId, long PipelineId, long StatusId)> leads)
    {
        lock (account.Gate)
            return leads.SelectMany(l => account.DpTriggers.Where(t => t.PipelineId == l.PipelineId && t.StatusId == l.StatusId)
                .Select(t => (t, (l.LeadId, l.PipelineId, l.StatusId)))).ToList();
    }

    public Task<HookDelivery> SendDp(SandboxAccount account, DpTrigger trigger, (long LeadId, long PipelineId, long StatusId) lead, string direction, string? format = null, long? eventTime = null, int eventType = 14)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("event[type]", eventType.ToString(CultureInfo.InvariantCulture)),
            new("event[type_code]", eventType == 15 ? "lead_appeared_in_status" : eventType == 1 ? "lead_added" : "lead_status_changed"),
            new("event[data][id]", lead.LeadId.ToString(CultureInfo.InvariantCulture)),
            new("event[data][element_type]", "2"),
            new("event[data][pipeline_id]", lead.PipelineId.ToString(CultureInfo.InvariantCulture)),
            new("event[data][status_id]", lead.StatusId.ToString(CultureInfo.InvariantCulture)),
        };
        // Every lead hook says how the lead moved (API-NOTES §17.1): entering the stage is went_to_trigger;
        // went_in_trigger/went_from_trigger come only from stretched (action_multiple) triggers.
        fields.Add(new("event[data][direction_of_movement]", direction));
        fields.Add(new("event[time]", (eventTime ?? rt.Clock.UnixNow).ToString(CultureInfo.InvariantCulture)));
        foreach (var (k, v) in trigger.Settings) fields.Add(new($"action[settings][widget][settings][{k}]", v));
        fields.Add(new("subdomain", account.Subdomain));
        fields.Add(new("account_id", account.Id.ToString(CultureInfo.InvariantCulture)));

        var useJson = (format ?? trigger.Format) == "json";
        HttpContent content = useJson ? new StringContent(ToJson(fields).ToJsonString(), Encoding.UTF8, "application/json") : new FormUrlEncodedContent(fields);
        return Send(account.Id, "dp", HttpMethod.Post, trigger.Url, content, rt.Options.HookTimeoutSeconds);
    }

    /// <summary>Bracket keys into nested JSON objects, every value a string (as in the form).</summary>
    private static JsonObject ToJson(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var root = new JsonObject();
        foreach (var (key, value) in fields)
        {
            var parts = key.Replace("]", "").Split('[');
            var node = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (node[parts[i]] is not JsonObject child) node[parts[i]] = child = new JsonObject();
                node = child;
            }
            node[parts[^1]] = value;
        }
        return root;
    }

    public Task<HookDelivery> SendInstall(SandboxAccount account, string redirectUri, string code, string? state)
    {
        var query = new Dictionary<string, string?>
        {
            ["code"] = code, ["referer"] = account.Referer, ["state"] = state, ["from_widget"] = "1", ["platform"] = "1", ["client_id"] = rt.Options.ClientId,
        };
        var url = QueryString(redirectUri, query);
        return Send(account.Id, "install", HttpMethod.Get, url, null, rt.Options.InstallHookTimeoutSeconds);
    }

    public Task<HookDelivery> SendDisconnect(SandboxAccount account, string url)
    {
        var signature = Jwt.HmacSha256Hex(rt.Options.ClientSecret, $"{rt.Options.ClientId}|{account.Id}");
        var full = QueryString(url, new Dictionary<string, string?>
        {
            ["client_uuid"] = rt.Options.ClientId, ["account_id"] = account.Id.ToString(CultureInfo.InvariantCulture), ["signature"] = signature,
        });
        return Send(account.Id, "disconnect", HttpMethod.Get, full, null, rt.Options.InstallHookTimeoutSeconds);
    }

    private static string QueryString(string url, Dictionary<string, string?> query)
    {
        var q = string.Join("&", query.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));
        return url + (url.Contains('?') ? "&" : "?") + q;
    }

    private async Task<HookDelivery> Send(long accountId, string kind, HttpMethod method, string url, HttpContent? content, int timeoutSeconds)
    {
        var body = content is null ? "" : await content.ReadAsStringAsync();
        var contentType = content?.Headers.ContentType?.ToString() ?? "";
        int? status = null;
        string? error = null;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            using var request = new HttpRequestMessage(method, url) { Content = content };
            request.Headers.UserAgent.ParseAdd(kind == "dp" ? "amoCRM-Webhooks/3.0" : "amoService-oAuth-Code-Sender/1.0");
            using var response = await httpFactory.CreateClient("hooks").SendAsync(request, cts.Token);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            error = e is TaskCanceledException ? $"no answer within {timeoutSeconds} s" : e.Message;
            logger.LogInformation("Sandbox {Kind} hook to {Url} failed: {Error}", kind, url, error);
        }
        return rt.State.RecordHook(accountId, kind, url, method.Method, contentType, body, status, error);
    }

    /// <summary>Waits for background DP deliveries (used on shutdown so that none is cut off silently).</summary>
    public Task Drain()
    {
        lock (_inFlight) return Task.WhenAll(_inFlight.ToArray());
    }
}
