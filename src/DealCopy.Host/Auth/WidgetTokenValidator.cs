using System.Globalization;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DealCopy.Host.Auth;

/// <summary>Who a valid widget token speaks for.</summary>
public sealed record WidgetCaller(long AccountId, long UserId, bool IsAdmin, string Jti, DateTimeOffset ExpiresAt, string? Subdomain)
{
    /// <summary>The token's <c>iat</c>.</summary>
    public DateTimeOffset IssuedAt { get; init; }
}

/// <summary>
/// Checks amoCRM's disposable widget token (API-NOTES §16): HS256 with the client secret, <c>aud</c> =
/// scheme+host of the redirect URI, <c>exp</c>/<c>nbf</c> with a small skew, <c>client_uuid</c> = our
/// client id. The replay check (<c>jti</c>) happens in the account actor, which sees all of an account's calls.
/// </summary>
public sealed class WidgetTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly string _clientId;

    public WidgetTokenValidator(string clientId, string clientSecret, string redirectUri, TimeSpan clockSkew, TimeProvider time)
    {
        _clientId = clientId;
        var redirect = new Uri(redirectUri);
        Audience = $"{redirect.Scheme}://{redirect.Authority}";
        _parameters = new TokenValidationParameters
        {
            ValidAudience = Audience,
            ValidateIssuer = false, // the issuer is each account's own address; the account comes from account_id
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(clientSecret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = clockSkew,
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp + p.ClockSkew >= now && (notBefore is not { } nbf || nbf - p.ClockSkew <= now);
            },
        };
    }

    public string Audience { get; }

    /// <summary>The caller, or the reason the token is refused (said in the 401, never the token itself).</summary>
    public async Task<(WidgetCaller? Caller, string? Problem)> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return (null, "X-Auth-Token is missing");
        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
            return (null, result.Exception switch
            {
                SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException or SecurityTokenNotYetValidException => "the token has expired or is not valid yet",
                SecurityTokenInvalidAudienceException => "the token was issued for another integration (aud)",
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token signature is invalid",
                _ => "the token is malformed or invalid",
            });
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>("client_uuid", out var clientUuid) || clientUuid != _clientId)
            return (null, "the token was issued for another integration (client_uuid)");
        if (!TryLong(jwt, "account_id", out var accountId) || accountId <= 0) return (null, "the token has no account_id");
        if (!TryLong(jwt, "user_id", out var userId)) return (null, "the token has no user_id");
        if (string.IsNullOrEmpty(jwt.Id)) return (null, "the token has no jti");
        if (!TryLong(jwt, "iat", out var issuedAt)) return (null, "the token has no iat");
        jwt.TryGetPayloadValue<bool>("is_admin", out var isAdmin);
        jwt.TryGetPayloadValue<string>("subdomain", out var subdomain);
        return (new WidgetCaller(accountId, userId, isAdmin, jwt.Id, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), subdomain)
        {
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(issuedAt),
        }, null);
    }

    private static bool TryLong(JsonWebToken jwt, string claim, out long value)
    {
        value = 0;
        if (jwt.TryGetPayloadValue<long>(claim, out value)) return true;
        return jwt.TryGetPayloadValue<string>(claim, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
