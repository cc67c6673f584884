using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary><c>POST /oauth2/access_token</c>: code exchange and refresh with rotation (API-NOTES §1.1–§1.3).</summary>
public static class OAuthEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/oauth2/access_token", Handlers.Async(Token));

    private static AmoProblemException Refused(string hint, string detail = "The request is missing a parameter or a parameter is invalid")
    {
        var body = Problems.Body(400, detail);
        body["hint"] = hint;
        return new AmoProblemException(400, body);
    }

    private static async Task<Dictionary<string, string>> ReadBody(HttpContext ctx)
    {
        if (ctx.Request.HasFormContentType)
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            return form.ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        }
        if (await ctx.JsonBody() is not JsonObject o) throw Refused("The body must be a JSON object");
        return o.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value!.ToJsonString());
    }

    private static async Task<IResult> Token(HttpContext ctx)
    {
        var rt = ctx.Runtime();
        var state = rt.State;
        var body = await ReadBody(ctx);
        string Get(string key) => body.GetValueOrDefault(key) ?? "";

        if (Get("client_id") != rt.Options.ClientId || Get("client_secret") != rt.Options.ClientSecret)
            throw Refused("Client authentication failed", "Client authentication failed");
        if (Get("redirect_uri") != rt.Options.RedirectUri)
            throw Refused("redirect_uri does not match the integration's redirect URI");

        var now = rt.Clock.GetUtcNow();
        (AccessGrant Access, RefreshGrant Refresh) pair;
        switch (Get("grant_type"))
        {
            case "authorization_code":
                lock (state.AuthGate)
                {
                    var code = state.AuthCodes.GetValueOrDefault(Get("code"));
                    if (code is null || code.Used) throw Refused("Authorization code has been revoked", "The authorization code is invalid or was already used");
                    if (code.ExpiresAt <= now) throw Refused("Authorization code has expired", "The authorization code has expired");
                    if (state.Account(code.AccountId) is null) throw Refused("The account no longer exists");
                    code.Used = true;
                    pair = state.IssuePair(code.AccountId, code.UserId);
                }
                break;
            case "refresh_token":
                lock (state.AuthGate)
                {
                    var old = state.RefreshTokens.GetValueOrDefault(Get("refresh_token"));
                    if (old is null || old.Revoked) throw Refused("Token has been revoked", "The refresh token is invalid or was already used");
                    if (old.ExpiresAt <= now) throw Refused("Token has expired", "The refresh token has expired");
                    if (old.Used && !rt.Options.RefreshTokenGrace) throw Refused("Token has been revoked", "The refresh token is invalid or was already used");
                    if (old.Used)
                    {
                        // Grace (Kommo): re-using the old token replaces the unused pair it was exchanged for.
                        if (old.SuccessorRefresh is { } s && state.RefreshTokens.TryGetValue(s, out var successor)) successor.Revoked = true;
                        if (old.SuccessorAccess is { } sa && state.AccessTokens.TryGetValue(sa, out var successorAccess)) successorAccess.Revoked = true;
                    }
                    pair = state.IssuePair(old.AccountId, old.UserId);
                    old.Used = true;
                    old.SuccessorAccess = pair.Access.Token;
                    old.SuccessorRefresh = pair.Refresh.Token;
                    if (!rt.Options.RefreshTokenGrace) old.Revoked = true;
                    // Exchanging the successor ends the predecessor's grace.
                    foreach (var p in state.RefreshTokens.Values.Where(r => r.SuccessorRefresh == old.Token)) p.Revoked = true;
                }
                break;
            default:
                throw Refused("grant_type must be authorization_code or refresh_token", "Unsupported grant type");
        }
        return Results.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = rt.Options.AccessTokenLifetimeSeconds,
            ["server_time"] = now.ToUnixTimeSeconds(),
            ["access_token"] = pair.Access.Token,
            ["refresh_token"] = pair.Refresh.Token,
        }, SandboxJson.Options, "application/json");
    }
}
