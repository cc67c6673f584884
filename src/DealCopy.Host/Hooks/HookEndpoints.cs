using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.OAuth;
using DealCopy.Host.Api;
using DealCopy.Host.Configuration;

namespace DealCopy.Host.Hooks;

/// <summary>The clock of delayed repeat deals (tests move it; production uses the system clock).</summary>
public sealed record JobClock(TimeProvider Time);

/// <summary>What amoCRM calls on its own: the Digital Pipeline hook, the redirect URI on install, the disconnect hook.</summary>
public static class HookEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/dp", WidgetApi.Handler(DigitalPipeline)).WithSummary("amoCRM Digital Pipeline trigger hook (form-encoded or JSON)").AddEndpointFilter(Counted("dp"));
        app.MapGet("/oauth/callback", Callback).WithSummary("The integration's redirect URI: amoCRM sends the authorization code here on install").AddEndpointFilter(Counted("install"));
        app.MapGet("/hooks/disconnect", WidgetApi.Handler(Disconnect)).WithSummary("amoCRM's hook when the integration is disabled").AddEndpointFilter(Counted("disconnect"));
    }

    /// <summary>Hook intake on <c>/metrics</c>: each call of amoCRM by hook and outcome.</summary>
    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Counted(string hook) => async (inv, next) =>
    {
        var result = await next(inv);
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;
        inv.HttpContext.RequestServices.GetRequiredService<Actors.Telemetry.DealCopyMetrics>().Hook(hook, status);
        return result;
    };

    private static ILogger Log(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DealCopy.Hooks");

    /// <summary>Persist, then answer: amoCRM expects an answer within about 2 s and may not retry (API-NOTES §17.1).</summary>
    private static async Task<IResult> DigitalPipeline(HttpContext ctx)
    {
        Dictionary<string, string> fields;
        if (ctx.Request.HasFormContentType)
        {
            var limits = ctx.RequestServices.GetRequiredService<LimitsOptions>();
            if (ctx.Request.ContentLength > limits.MaxRequestBodyBytes) return JsonBody.TooLarge(limits);
            try
            {
                var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
                fields = form.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return JsonBody.TooLarge(limits);
            }
            catch (Exception e) when (e is InvalidDataException or IOException && !ctx.RequestAborted.IsCancellationRequested)
            {
                // more fields than Limits:MaxFormFields, a broken multipart body
                Log(ctx).LogWarning("DP hook refused: the form cannot be read: {Problem}", e.Message);
                return Problem.BadRequest("request.malformed", "The form body cannot be read: " + e.Message);
            }
        }
        else
        {
            var (json, bad) = await JsonBody.ReadAsync(ctx);
            if (bad is not null)
            {
                Log(ctx).LogWarning("DP hook refused: the body is neither a form nor JSON");
                return bad is IStatusCodeHttpResult { StatusCode: 413 }
                    ? bad
                    : Problem.BadRequest("request.unsupported_content_type", "The hook body must be application/x-www-form-urlencoded or JSON.");
            }
            fields = DpHookReader.Flatten(json);
        }

        var (hook, problem, ignored) = DpHookReader.Read(fields);
        if (ignored is not null) return Results.Json(new { status = "ignored", reason = ignored }, Problem.Json);
        if (hook is null)
        {
            Log(ctx).LogWarning("DP hook refused: {Problem}", problem);
            return Problem.BadRequest("hook.invalid", "The hook is not a Digital Pipeline hook DealCopy understands: " + problem);
        }
        var keys = ctx.RequestServices.GetRequiredService<HookKeys>();
        if (!keys.IsDpKey(hook.AccountId, hook.Settings.GetValueOrDefault("key")))
        {
            Log(ctx).LogWarning("DP hook for account {AccountId}, lead {LeadId} refused: missing or wrong DP key (check the rule's settings in the Digital Pipeline)", hook.AccountId, hook.LeadId);
            return Problem.Unauthorized("hook.key_invalid", "The rule's DealCopy key is missing or wrong; open the rule in the Digital Pipeline and save it again.");
        }
        var ruleText = hook.Settings.GetValueOrDefault("rule");
        var rule = CopyRequest.ParseRule(ruleText);
        if (rule.Options is null)
        {
            Log(ctx).LogWarning("DP hook for account {AccountId} refused: the rule is invalid: {Errors}", hook.AccountId, string.Join("; ", rule.Errors.Select(e => $"{e.Key}: {e.Value}")));
            return Problem.Of(422, "rule.invalid", "The rule cannot be used", "The rule saved in the Digital Pipeline is invalid; open it and save it again.", rule.Refusals);
        }

        var now = ctx.RequestServices.GetRequiredService<JobClock>().Time.GetUtcNow().ToUnixTimeSeconds();
        var dp = ctx.RequestServices.GetRequiredService<DpOptions>();
        var ruleId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ruleText!)))[..12];
        var trigger = new RepeatTrigger(hook.LeadId, hook.PipelineId, hook.StatusId, hook.EventTime, ruleId, rule.SkipIfOpen, dp.MaxDepth, now + rule.DelayMinutes * 60L);
        var answer = await WidgetApi.Ask(ctx, new StartRepeatDeal(hook.AccountId, trigger, rule.Options));
        switch (answer)
        {
            case RepeatAccepted accepted:
                return Results.Json(new { status = accepted.IsNew ? "accepted" : "duplicate", job_id = accepted.JobId, run_at = accepted.RunAt }, Problem.Json);
            case AccountNotInstalled:
                Log(ctx).LogWarning("DP hook for account {AccountId} refused: DealCopy is not installed there", hook.AccountId);
                return Problem.Of(401, "account.not_installed", "Unauthorized", $"DealCopy is not installed in account {hook.AccountId}.", parameters: Refusal.Parameters(("account_id", hook.AccountId)));
            case IResult r:
                return r;
            default:
                return Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", answer.GetType().Name);
        }
    }

    /// <summary>
    /// The redirect URI. amoCRM waits 3 s, ignores the status and never retries (API-NOTES §1.4): answer at
    /// once and exchange the code in the background; the account is installed when its tokens are journaled.
    /// </summary>
    private static IResult Callback(HttpContext ctx, string? code, string? referer, string? state, string? error, string? platform)
    {
        var log = Log(ctx);
        if (error is not null)
        {
            log.LogInformation("Install refused by the user in amoCRM: {Error}", error);
            return Page("DealCopy was not connected: access was not granted.");
        }
        if (string.IsNullOrWhiteSpace(code) || string.IsNullOrWhiteSpace(referer) || referer.Contains('/'))
            return Problem.BadRequest("oauth.callback_invalid", "The redirect needs code and referer (the account host).");
        if (state is not null && !ctx.RequestServices.GetRequiredService<HookKeys>().IsState(state))
        {
            log.LogWarning("Install for {Referer} refused: the state parameter is not ours", referer);
            return Problem.BadRequest("oauth.state_invalid", "The state parameter is invalid; start the installation again from amoCRM.");
        }
        ctx.RequestServices.GetRequiredService<Installer>().Enqueue(new InstallRequest(code, referer.Trim().ToLowerInvariant(), platform));
        return Page("DealCopy is being connected to your amoCRM account. You can close this window.");
    }

    private static IResult Page(string text) =>
        Results.Content($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>DealCopy</title></head><body><p>{System.Net.WebUtility.HtmlEncode(text)}</p></body></html>", "text/html; charset=utf-8");

    /// <summary>The integration was disabled: verify amoCRM's signature, then forget the account's tokens and cancel its pending work.</summary>
    private static async Task<IResult> Disconnect(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        string clientUuid = q["client_uuid"].ToString(), accountText = q["account_id"].ToString(), signature = q["signature"].ToString();
        if (clientUuid.Length == 0 || accountText.Length == 0 || signature.Length == 0)
            return Problem.BadRequest("hook.disconnect_invalid", "The disconnect hook needs client_uuid, account_id and signature.");
        if (!long.TryParse(accountText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var accountId) || accountId <= 0)
            return Problem.BadRequest("hook.disconnect_invalid", "account_id must be a positive integer.");
        if (!ctx.RequestServices.GetRequiredService<HookKeys>().IsDisconnectSignature(clientUuid, accountText, signature))
        {
            Log(ctx).LogWarning("Disconnect hook for account {AccountId} refused: the signature does not verify", accountId);
            return Problem.Unauthorized("hook.signature_invalid", "The signature does not verify.");
        }
        var answer = await WidgetApi.Ask(ctx, new UninstallAccount(accountId));
        if (answer is IResult r) return r;
        var reply = (AccountUninstalledReply)answer;
        return Results.Json(new { account_id = accountId, uninstalled = true, cancelled_jobs = reply.CancelledJobs }, Problem.Json);
    }
}

/// <summary>Digital Pipeline settings (<c>Dp</c> section).</summary>
public sealed class DpOptions
{
    public const string Section = "Dp";

    /// <summary>Loop guard: a deal made by rules this many copies deep is not copied by rules again.</summary>
    public int MaxDepth { get; set; } = 1;
}

public sealed record InstallRequest(string Code, string Referer, string? Platform);

/// <summary>Exchanges install codes in the background and installs the accounts (one at a time, in order).</summary>
public sealed class Installer(AmoClient.AmoClient client, IServiceProvider services, ILogger<Installer> log) : BackgroundService
{
    private readonly Channel<InstallRequest> _queue = Channel.CreateUnbounded<InstallRequest>();

    public void Enqueue(InstallRequest request) => _queue.Writer.TryWrite(request);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var baseAddress = client.BaseAddressFor(request.Referer);
                var tokens = await client.OAuth.ExchangeCodeAsync(baseAddress, request.Code, stoppingToken);
                var accountId = AmoAccessTokenClaims.AccountId(tokens.AccessToken)
                                ?? throw new InvalidOperationException("the access token names no account");
                var region = services.GetRequiredService<Akka.Hosting.IRequiredActor<Hosting.AccountRegion>>().ActorRef;
                var timeout = services.GetRequiredService<Hosting.AkkaTimeouts>().Ask;
                var reply = await Akka.Actor.Futures.Ask<object>(region, new InstallAccount(accountId, request.Referer, tokens.AccessToken, tokens.RefreshToken, tokens.ExpiresAt?.ToUnixTimeSeconds()) { Platform = request.Platform }, timeout, stoppingToken);
                log.LogInformation("Account {AccountId} ({Referer}) installed: {Reply}", accountId, request.Referer, reply.GetType().Name);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // amoCRM does not call again: the user must enable the widget again; say so clearly
                log.LogError("Install for {Referer} failed; the user must enable DealCopy again in amoCRM: {Error}", request.Referer, e.Message);
            }
        }
    }
}
