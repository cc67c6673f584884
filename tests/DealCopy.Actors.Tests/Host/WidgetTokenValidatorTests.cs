using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.Host.Auth;
using Microsoft.Extensions.Time.Testing;

namespace DealCopy.Actors.Tests.Host;

public sealed class WidgetTokenValidatorTests
{
    private const string ClientId = "0f7d7a2e-1c2b-4f4e-8a1d-2b3c4d5e6f70";
    private const string Secret = "integration-client-secret-32-bytes-long-at-least!";
    private const string RedirectUri = "https://dealcopy.example.com/oauth/callback";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private WidgetTokenValidator Validator() => new(ClientId, Secret, RedirectUri, TimeSpan.FromSeconds(30), _time);

    /// <summary>The claims amoCRM puts in a widget's disposable token (API-NOTES §16), issued now for 30 minutes.</summary>
    private static JsonObject Claims() => new()
    {
        ["iss"] = "https://demo.amocrm.ru",
        ["aud"] = "https://dealcopy.example.com",
        ["jti"] = "6f1a0a0e-5a3c-4d4e-9c0a-1b2c3d4e5f60",
        ["iat"] = Now.ToUnixTimeSeconds(),
        ["nbf"] = Now.ToUnixTimeSeconds(),
        ["exp"] = Now.AddMinutes(30).ToUnixTimeSeconds(),
        ["account_id"] = 28805383,
        ["user_id"] = 504141,
        ["client_uuid"] = ClientId,
        ["subdomain"] = "demo",
        ["is_admin"] = true,
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>An HS256 JWT, built by hand so the test does not trust the library it checks.</summary>
    private static string Token(JsonObject claims, string secret = Secret, string alg = "HS256")
    {
        var header = Base64Url(Encoding.UTF8.GetBytes($$"""{"typ":"JWT","alg":"{{alg}}"}"""));
        var payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Token(Action<JsonObject> change)
    {
        var claims = Claims();
        change(claims);
        return Token(claims);
    }

    [Fact]
    public async Task A_token_from_amoCRM_names_the_caller()
    {
        var (caller, problem) = await Validator().ValidateAsync(Token(Claims()));

        Assert.Null(problem);
        var expected = new WidgetCaller(28805383, 504141, true, "6f1a0a0e-5a3c-4d4e-9c0a-1b2c3d4e5f60", Now.AddMinutes(30), "demo")
        {
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(Now.ToUnixTimeSeconds()),
        };
        Assert.Equal(expected, caller);
    }

    [Fact]
    public async Task Ids_sent_as_strings_are_read_too()
    {
        var (caller, problem) = await Validator().ValidateAsync(Token(c => { c["account_id"] = "28805383"; c["user_id"] = "504141"; c.Remove("is_admin"); }));

        Assert.Null(problem);
        Assert.Equal((28805383L, 504141L, false), (caller!.AccountId, caller.UserId, caller.IsAdmin));
    }

    [Fact]
    public void The_audience_is_the_scheme_and_host_of_the_redirect_uri()
    {
        Assert.Equal("https://dealcopy.example.com", Validator().Audience);
        Assert.Equal("https://dealcopy.example.com:8443", new WidgetTokenValidator(ClientId, Secret, "https://dealcopy.example.com:8443/oauth", TimeSpan.Zero, _time).Audience);
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "no token", "", "missing" },
        { "not a JWT", "hello", "malformed" },
        { "signed with another secret", Token(Claims(), secret: "another-secret-that-is-also-32-bytes-long"), "signature" },
        { "signature of another payload", Token(Claims())[..^4] + "AAAA", "signature" },
        { "unsigned", Token(Claims(), alg: "none").Split('.')[0] + "." + Token(Claims()).Split('.')[1] + ".", "" },
        { "for another integration's address", Token(c => c["aud"] = "https://other.example.com"), "aud" },
        { "without audience", Token(c => c.Remove("aud")), "" },
        { "for another client", Token(c => c["client_uuid"] = "11111111-2222-3333-4444-555555555555"), "client_uuid" },
        { "without client", Token(c => c.Remove("client_uuid")), "client_uuid" },
        { "without account", Token(c => c.Remove("account_id")), "account_id" },
        { "with account 0", Token(c => c["account_id"] = 0), "account_id" },
        { "without user", Token(c => c.Remove("user_id")), "user_id" },
        { "without jti", Token(c => c.Remove("jti")), "jti" },
        { "without issue time", Token(c => c.Remove("iat")), "iat" },
        { "without expiry", Token(c => c.Remove("exp")), "expired" },
        { "expired a minute ago", Token(c => { c["iat"] = Now.AddMinutes(-31).ToUnixTimeSeconds(); c["nbf"] = Now.AddMinutes(-31).ToUnixTimeSeconds(); c["exp"] = Now.AddMinutes(-1).ToUnixTimeSeconds(); }), "expired" },
        { "valid only from in a minute", Token(c => c["nbf"] = Now.AddMinutes(1).ToUnixTimeSeconds()), "not valid yet" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Bad_tokens_are_refused_with_a_reason(string why, string token, string reason)
    {
        var (caller, problem) = await Validator().ValidateAsync(token);

        Assert.Null(caller);
        Assert.False(string.IsNullOrWhiteSpace(problem), why);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Length > 10 ? token : "\u0000", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_expires_when_the_clock_passes_its_expiry_and_skew()
    {
        var validator = Validator();
        var token = Token(Claims());

        _time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(30));
        Assert.Null((await validator.ValidateAsync(token)).Problem);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("expired", (await validator.ValidateAsync(token)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_a_clock_slightly_ahead_is_accepted_within_the_skew()
    {
        var token = Token(c => { c["iat"] = Now.AddSeconds(20).ToUnixTimeSeconds(); c["nbf"] = Now.AddSeconds(20).ToUnixTimeSeconds(); });

        Assert.Null((await Validator().ValidateAsync(token)).Problem);
    }
}
