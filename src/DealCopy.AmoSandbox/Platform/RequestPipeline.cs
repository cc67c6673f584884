using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using Microsoft.AspNetCore.Http.Features;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>
/// Everything that happens around a handler, in amoCRM's order: bearer auth, the per-account rate
/// limit, injected faults, amoCRM-shaped errors (never a stack trace), and the request log.
/// Responses are buffered so that a "lost response" fault can commit the work and drop the answer.
/// </summary>
public sealed class RequestPipeline(RequestDelegate next, SandboxRuntime rt, ILogger<RequestPipeline> logger)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var method = ctx.Request.Method;
        var isControl = path.StartsWith("/_sandbox", StringComparison.Ordinal);
        var isApi = path.StartsWith("/api/v4", StringComparison.Ordinal);
        var received = rt.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var started = received;
        // amoCRM's answers take tens to hundreds of milliseconds (Sandbox:LatencyMs): half of it passes before
        // the request arrives, where the rate limit counts it, the other half before its answer leaves
        var latency = isControl ? 0 : Latency(rt.Options);
        var requestBytes = ctx.Request.ContentLength ?? 0;
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        long? accountId = null;
        string? fault = null;
        var drop = false;
        try
        {
            if (isControl)
            {
                GuardControl(ctx);
                await next(ctx);
            }
            else
            {
                if (latency > 0)
                {
                    await Pause(latency / 2, ctx.RequestAborted);
                    started = rt.Clock.GetUtcNow().ToUnixTimeMilliseconds();
                }
                if (isApi)
                {
                    var account = Authenticate(ctx);
                    accountId = account.Id;
                    if (!await Admit(ctx, account)) return;
                }
                var rule = rt.Faults.Take(method, path, accountId, rt.Faults.CountsEntities ? await EntityCount(ctx) : null);
                fault = rule?.Kind;
                drop = await Run(ctx, rule);
            }
            if (!isControl && buffer.Length == 0 && ctx.Response.StatusCode is 404 or 405)
                await Write(ctx, ctx.Response.StatusCode, Problems.Body(ctx.Response.StatusCode, $"Cannot {method} {path}"));
        }
        catch (AmoProblemException e)
        {
            await Write(ctx, e.Status, e.Body);
        }
        catch (BadHttpRequestException e)
        {
            await Write(ctx, 400, Problems.Body(400, e.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            drop = true;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled sandbox error on {Method} {Path}", method, path);
            var body = Problems.Body(500, "Internal server error");
            body["trace_id"] = ctx.TraceIdentifier;
            await Write(ctx, 500, body);
        }
        finally
        {
            ctx.Response.Body = original;
            if (latency > 0 && !drop && !ctx.RequestAborted.IsCancellationRequested)
            {
                try { await Pause(latency - latency / 2, ctx.RequestAborted); }
                catch (OperationCanceledException) { }
            }
            var status = drop ? 0 : ctx.Response.StatusCode;
            var responseBytes = buffer.Length;
            if (drop)
            {
                ctx.Abort();
            }
            else if (!ctx.RequestAborted.IsCancellationRequested)
            {
                // amoCRM tags every answer with a request id that clients log (API-NOTES §2).
                if (!isControl) ctx.Response.Headers["X-Request-Id"] = ctx.TraceIdentifier;
                ctx.Response.ContentLength = buffer.Length;
                buffer.Position = 0;
                await buffer.CopyToAsync(original, CancellationToken.None);
            }
            rt.Log.Add(accountId, method, path, ctx.Request.QueryString.Value ?? "", status, started, requestBytes, responseBytes, fault,
                received, rt.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    /// <summary>How many entities a request's JSON body carries (the length of its top-level array; 0 for anything else); the body stays readable.</summary>
    private static async Task<int> EntityCount(HttpContext ctx)
    {
        if (ctx.Request.ContentLength is 0 || !HttpMethods.IsPost(ctx.Request.Method) && !HttpMethods.IsPatch(ctx.Request.Method)) return 0;
        ctx.Request.EnableBuffering();
        try
        {
            using var doc = await System.Text.Json.JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? doc.RootElement.GetArrayLength() : 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
        finally
        {
            ctx.Request.Body.Position = 0;
        }
    }

    /// <summary>
    /// Waits at least <paramref name="ms"/> on the clock the request log is written with: a timer may fire a
    /// fraction of a millisecond early, and the log (whole milliseconds) must never show less than the latency.
    /// </summary>
    private async Task Pause(int ms, CancellationToken ct)
    {
        var until = rt.Clock.GetUtcNow().AddMilliseconds(ms);
        for (var left = until - rt.Clock.GetUtcNow(); left > TimeSpan.Zero; left = until - rt.Clock.GetUtcNow())
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, ct);
    }

    /// <summary>This answer's latency in milliseconds: Sandbox:LatencyMs ± a uniform Sandbox:LatencyJitterMs, never negative.</summary>
    internal static int Latency(SandboxOptions o) =>
        o.LatencyMs <= 0 && o.LatencyJitterMs <= 0 ? 0
            : Math.Max(0, o.LatencyMs + (o.LatencyJitterMs > 0 ? Random.Shared.Next(-o.LatencyJitterMs, o.LatencyJitterMs + 1) : 0));

    /// <summary>The control API is not part of amoCRM: an amoCRM token never opens it.</summary>
    private void GuardControl(HttpContext ctx)
    {
        if (ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw Problems.Error(403, "The sandbox control API does not accept amoCRM tokens");
        if (rt.Options.ControlKey.Length > 0 && ctx.Request.Headers["X-Sandbox-Key"] != rt.Options.ControlKey)
            throw Problems.Error(403, "X-Sandbox-Key is missing or wrong");
    }

    private SandboxAccount Authenticate(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw Problems.Error(401, "Authorization header with a Bearer token is required");
        var token = header["Bearer ".Length..].Trim();
        var state = rt.State;
        AccessGrant? grant;
        lock (state.AuthGate)
        {
            grant = state.AccessTokens.GetValueOrDefault(token);
            if (grant is null || grant.Revoked)
                throw Problems.Error(401, "Unauthorized: the token is unknown or revoked");
            if (grant.ExpiresAt is { } exp && exp <= rt.Clock.GetUtcNow())
                throw Problems.Error(401, "Unauthorized: the access token has expired");
            ConfirmPairUsed(state, grant);
        }
        var account = state.Account(grant.AccountId) ?? throw Problems.Error(401, "Unauthorized: the account does not exist");
        ctx.Items[HttpContextExtensions.GrantKey] = grant;
        ctx.Items[HttpContextExtensions.AccountKey] = account;
        return account;
    }

    /// <summary>With refresh grace on, using the new pair ends the old refresh token's life.</summary>
    private static void ConfirmPairUsed(SandboxState state, AccessGrant grant)
    {
        if (grant.RefreshToken is null) return;
        foreach (var old in state.RefreshTokens.Values.Where(r => r.SuccessorAccess == grant.Token && !r.Revoked))
            old.Revoked = true;
    }

    private async Task<bool> Admit(HttpContext ctx, SandboxAccount account)
    {
        var (decision, retryAfter) = rt.Rate.Enter(account.Id);
        switch (decision)
        {
            case RateDecision.Allowed:
                return true;
            case RateDecision.Limited:
                await Write(ctx, 429, Problems.RateLimited(retryAfter));
                return false;
            default:
                if (rt.Options.BlockedAsHtml) await WriteHtml(ctx, 403, Problems.BlockedHtml(account.Subdomain));
                else await Write(ctx, 403, Problems.Body(403, "Account is blocked for repeatedly exceeding the request limit"));
                return false;
        }
    }

    /// <summary>Runs the handler under a fault rule; true when the answer must be dropped.</summary>
    private async Task<bool> Run(HttpContext ctx, FaultRule? rule)
    {
        switch (rule?.Kind)
        {
            case null:
                await next(ctx);
                return false;
            case "latency":
                await Task.Delay(rule.LatencyMs ?? 0, ctx.RequestAborted);
                await next(ctx);
                return false;
            case "status":
                if (rule.AfterCommit == true) await next(ctx); // the work is done; the answer says otherwise
                var status = rule.Status ?? 500;
                var body = status == 429 ? Problems.RateLimited(rule.OmitRetryAfter == true ? null : rule.RetryAfter ?? 1) : Problems.Body(status, "Injected fault");
                if (status == 500) body["trace_id"] = ctx.TraceIdentifier;
                await Write(ctx, status, body);
                return false;
            case "html":
                await WriteHtml(ctx, rule.Status ?? 502, "<html><head><title>Error</title></head><body><h1>" + (rule.Status ?? 502) + "</h1><p>nginx</p></body></html>");
                return false;
            case "timeout":
                try { await Task.Delay(TimeSpan.FromSeconds(rt.Options.TimeoutFaultSeconds), ctx.RequestAborted); }
                catch (OperationCanceledException) { }
                return true;
            case "reset":
                return true; // the connection drops before amoCRM did anything
            case "lost_response":
                await next(ctx);
                return true;
            default:
                throw new InvalidOperationException("unknown fault kind " + rule.Kind);
        }
    }

    private static async Task Write(HttpContext ctx, int status, JsonObject body)
    {
        ResetResponse(ctx);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = Problems.ContentType;
        await ctx.Response.Body.WriteAsync(SandboxJson.Utf8(body));
    }

    private static async Task WriteHtml(HttpContext ctx, int status, string html)
    {
        ResetResponse(ctx);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(html));
    }

    private static void ResetResponse(HttpContext ctx)
    {
        ctx.Response.Headers.Clear();
        if (ctx.Response.Body.CanSeek) ctx.Response.Body.SetLength(0);
        ctx.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = null;
    }
}
