using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Model;

/// <summary>What a bearer token resolves to.</summary>
public sealed class AccessGrant
{
    public required string Token { get; init; }
    public required long AccountId { get; init; }
    public required long UserId { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool IsLongLived { get; init; }
    public bool Revoked { get; set; }
    /// <summary>The refresh token issued with this access token (OAuth pairs only).</summary>
    public string? RefreshToken { get; init; }
}

public sealed class RefreshGrant
{
    public required string Token { get; init; }
    public required long AccountId { get; init; }
    public required long UserId { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public bool Used { get; set; }
    public bool Revoked { get; set; }
    /// <summary>With grace on: the pair this token was exchanged for; the old token lives until that pair is used.</summary>
    public string? SuccessorAccess { get; set; }
    public string? SuccessorRefresh { get; set; }
}

public sealed class AuthCode
{
    public required string Code { get; init; }
    public required long AccountId { get; init; }
    public required long UserId { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public bool Used { get; set; }
}

/// <summary>All accounts, tokens and id counters of one sandbox instance.</summary>
public sealed class SandboxState(SandboxOptions options, SandboxClock clock)
{
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly object _authGate = new();

    public SandboxOptions Options { get; } = options;
    public SandboxClock Clock { get; } = clock;
    public ConcurrentDictionary<long, SandboxAccount> Accounts { get; } = new();
    public Dictionary<string, AccessGrant> AccessTokens { get; } = [];
    public Dictionary<string, RefreshGrant> RefreshTokens { get; } = [];
    public Dictionary<string, AuthCode> AuthCodes { get; } = [];
    public ConcurrentQueue<HookDelivery> Hooks { get; } = new();
    public object AuthGate => _authGate;

    private static readonly Dictionary<string, long> Starts = new()
    {
        ["account"] = 31_000_001, ["user"] = 5_000_001, ["pipeline"] = 7_100_001, ["status"] = 61_000_001,
        ["field"] = 910_001, ["enum"] = 1_500_001, ["lead"] = 20_000_001, ["contact"] = 30_000_001,
        ["company"] = 40_000_001, ["note"] = 50_000_001, ["task"] = 55_000_001, ["tag"] = 100_001,
        ["catalog"] = 10_001, ["element"] = 600_001, ["loss_reason"] = 4_200_001, ["hook"] = 1, ["group"] = 1,
    };

    /// <summary>Next id of a kind; ids are global like amoCRM's, each kind in its own range.</summary>
    public long NextId(string kind) =>
        _counters.AddOrUpdate(kind, _ => Starts.GetValueOrDefault(kind, 1), (_, v) => v + 1);

    /// <summary>Makes sure the next id of a kind is above one that a description fixed.</summary>
    public void Reserve(string kind, long id) =>
        _counters.AddOrUpdate(kind, _ => Math.Max(id, Starts.GetValueOrDefault(kind, 1) - 1), (_, v) => Math.Max(v, id));

    public void Clear()
    {
        lock (_authGate)
        {
            Accounts.Clear();
            AccessTokens.Clear();
            RefreshTokens.Clear();
            AuthCodes.Clear();
            _counters.Clear();
            Hooks.Clear();
        }
    }

    public SandboxAccount? Account(long id) => Accounts.GetValueOrDefault(id);

    public string ApiDomain { get; set; } = "127.0.0.1";

    public AccessGrant IssueLongLived(long accountId, long userId, string? token = null, TimeSpan? lifetime = null)
    {
        var now = Clock.GetUtcNow();
        var grant = new AccessGrant
        {
            Token = token ?? MintAccessJwt(accountId, userId, now, lifetime ?? TimeSpan.FromDays(365 * 5)),
            AccountId = accountId,
            UserId = userId,
            ExpiresAt = token is null || lifetime is not null ? now + (lifetime ?? TimeSpan.FromDays(365 * 5)) : null,
            IsLongLived = true,
        };
        lock (_authGate) AccessTokens[grant.Token] = grant;
        Platform.SecretLedger.Publish("access_token", grant.Token);
        Platform.SecretLedger.Publish("account_id", accountId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return grant;
    }

    /// <summary>Issues an OAuth pair (access JWT + refresh token) for a user of an account.</summary>
    public (AccessGrant Access, RefreshGrant Refresh) IssuePair(long accountId, long userId)
    {
        var now = Clock.GetUtcNow();
        var refresh = new RefreshGrant
        {
            Token = "def50200" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(48)),
            AccountId = accountId,
            UserId = userId,
            ExpiresAt = now.AddSeconds(Options.RefreshTokenLifetimeSeconds),
        };
        var access = new AccessGrant
        {
            Token = MintAccessJwt(accountId, userId, now, TimeSpan.FromSeconds(Options.AccessTokenLifetimeSeconds)),
            AccountId = accountId,
            UserId = userId,
            ExpiresAt = now.AddSeconds(Options.AccessTokenLifetimeSeconds),
            RefreshToken = refresh.Token,
        };
        lock (_authGate)
        {
            AccessTokens[access.Token] = access;
            RefreshTokens[refresh.Token] = refresh;
        }
        Platform.SecretLedger.Publish("access_token", access.Token);
        Platform.SecretLedger.Publish("refresh_token", refresh.Token);
        return (access, refresh);
    }

    public AuthCode IssueCode(long accountId, long userId)
    {
        var code = new AuthCode
        {
            Code = "def50200" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            AccountId = accountId,
            UserId = userId,
            ExpiresAt = Clock.GetUtcNow().AddSeconds(Options.AuthCodeLifetimeSeconds),
        };
        lock (_authGate) AuthCodes[code.Code] = code;
        Platform.SecretLedger.Publish("auth_code", code.Code);
        return code;
    }

    /// <summary>Revokes every token of the integration in an account (the account disabled the widget).</summary>
    public void RevokeAll(long accountId)
    {
        lock (_authGate)
        {
            // long-lived tokens belong to the integration too: disabling it revokes them (API-NOTES §1.6)
            foreach (var a in AccessTokens.Values.Where(a => a.AccountId == accountId)) a.Revoked = true;
            foreach (var r in RefreshTokens.Values.Where(r => r.AccountId == accountId)) r.Revoked = true;
        }
    }

    private string MintAccessJwt(long accountId, long userId, DateTimeOffset now, TimeSpan lifetime)
    {
        var claims = new JsonObject
        {
            ["aud"] = Options.ClientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["sub"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["account_id"] = accountId,
            ["api_domain"] = ApiDomain,
            ["scopes"] = new JsonArray("crm", "notifications"),
        };
        return Jwt.SignHs256(claims, "sandbox-internal-token-signing-key-" + Options.ClientSecret);
    }

    public HookDelivery RecordHook(long accountId, string kind, string url, string method, string contentType, string body, int? status, string? error)
    {
        var delivery = new HookDelivery(NextId("hook"), accountId, kind, url, method, contentType, body, status, error, Clock.UnixNow);
        Hooks.Enqueue(delivery);
        return delivery;
    }
}
