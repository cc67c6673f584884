using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.OAuth;

/// <summary>An account's token pair. A long-lived token has no refresh token (and possibly no known expiry).</summary>
public sealed record AmoTokens(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt)
{
    /// <summary>A long-lived token made in the integration's "Keys" tab: cannot be refreshed.</summary>
    public static AmoTokens LongLived(string accessToken, DateTimeOffset? expiresAt = null) => new(accessToken, null, expiresAt);

    public bool CanRefresh => !string.IsNullOrEmpty(RefreshToken);

    /// <summary>Never print tokens.</summary>
    public override string ToString() => $"AmoTokens(expires {ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "unknown"}, refreshable: {CanRefresh})";
}

/// <summary>
/// Where an account's tokens live (the account actor's journal in production). The client hands every new pair
/// to <see cref="SaveAsync"/> before it uses it, because a refresh token works once.
/// </summary>
public interface IAmoTokenStore
{
    Task<AmoTokens?> GetAsync(long accountId, CancellationToken cancellationToken);

    Task SaveAsync(long accountId, AmoTokens tokens, CancellationToken cancellationToken);
}

/// <summary>Tokens in memory (tests, the sandbox demo, single-process tools).</summary>
public sealed class InMemoryAmoTokenStore : IAmoTokenStore
{
    private readonly ConcurrentDictionary<long, AmoTokens> _tokens = new();

    public Task<AmoTokens?> GetAsync(long accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_tokens.TryGetValue(accountId, out var t) ? t : null);

    public Task SaveAsync(long accountId, AmoTokens tokens, CancellationToken cancellationToken)
    {
        _tokens[accountId] = tokens;
        return Task.CompletedTask;
    }
}

/// <summary>Reads claims of amoCRM's access-token JWT without validating it (it is amoCRM's token, not ours).</summary>
public static class AmoAccessTokenClaims
{
    /// <summary>The payload of a JWT, or null when the token is not a JWT.</summary>
    public static JObject? ReadPayload(string accessToken)
    {
        var parts = accessToken.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            var b64 = parts[1].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            return JObject.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
        }
        catch (Exception e) when (e is FormatException or Newtonsoft.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>account_id</c> claim, if present.</summary>
    public static long? AccountId(string accessToken) =>
        ReadPayload(accessToken)?["account_id"] is JValue v && long.TryParse(v.ToString(CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The <c>exp</c> claim, if present.</summary>
    public static DateTimeOffset? ExpiresAt(string accessToken) =>
        ReadPayload(accessToken)?["exp"] is JValue { Type: JTokenType.Integer or JTokenType.Float } v
            ? DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(v.Value, CultureInfo.InvariantCulture))
            : null;
}
