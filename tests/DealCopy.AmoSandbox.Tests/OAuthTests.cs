using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>OAuth code exchange and refresh rules that move no clock and change no setting (API-NOTES §1.1–§1.3): one shared sandbox.</summary>
public sealed class OAuthExchangeTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    [Fact, Trait("api-notes", "§1.1")]
    public async Task An_authorization_code_sent_as_JSON_exchanges_for_a_bearer_pair_that_opens_the_API()
    {
        var code = await _amo.Control.IssueAuthCodeAsync(_amo.AccountId);

        var answer = await _amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", OAuthFlow.CodeGrant(_amo.Server.Options, code));

        Assert.Equal(200, answer.Code);
        Assert.Equal("application/json", answer.MediaType);
        var o = answer.Object;
        Assert.Equal("Bearer", o["token_type"]!.GetValue<string>());
        Assert.Equal(86400, o["expires_in"]!.GetValue<int>());
        Assert.True(o["server_time"]!.GetValue<long>() > 1_700_000_000);
        Assert.Equal(3, o["access_token"]!.GetValue<string>().Split('.').Length);
        Assert.False(string.IsNullOrEmpty(o["refresh_token"]!.GetValue<string>()));
        var account = await OAuthFlow.Account(_amo, o["access_token"]!.GetValue<string>());
        Assert.Equal(200, account.Code);
        Assert.Equal(_amo.AccountId, account.Object["id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§1.1")]
    public async Task An_authorization_code_sent_as_a_form_exchanges_too()
    {
        var o = _amo.Server.Options;
        var code = await _amo.Control.IssueAuthCodeAsync(_amo.AccountId);

        var answer = await _amo.ClientWith(null).Form("oauth2/access_token", new Dictionary<string, string>
        {
            ["client_id"] = o.ClientId, ["client_secret"] = o.ClientSecret, ["grant_type"] = "authorization_code",
            ["code"] = code, ["redirect_uri"] = o.RedirectUri,
        });

        Assert.Equal(200, answer.Code);
        Assert.Equal(200, (await OAuthFlow.Account(_amo, answer.Object["access_token"]!.GetValue<string>())).Code);
    }

    [Fact, Trait("api-notes", "§1.2")]
    public async Task An_authorization_code_works_only_once()
    {
        var code = await _amo.Control.IssueAuthCodeAsync(_amo.AccountId);
        var http = _amo.ClientWith(null);
        Assert.Equal(200, (await http.Call(HttpMethod.Post, "oauth2/access_token", OAuthFlow.CodeGrant(_amo.Server.Options, code))).Code);

        var again = await http.Call(HttpMethod.Post, "oauth2/access_token", OAuthFlow.CodeGrant(_amo.Server.Options, code));

        var problem = Problem.Assert(again, 400);
        Assert.NotNull(problem["hint"]);
    }

    [Fact, Trait("api-notes", "§1.3")]
    public async Task A_refresh_returns_a_new_pair_and_the_old_refresh_token_is_refused_afterwards()
    {
        var (access, refresh) = await OAuthFlow.Exchange(_amo);

        var rotated = await OAuthFlow.Refresh(_amo, refresh);

        Assert.Equal(200, rotated.Code);
        var newAccess = rotated.Object["access_token"]!.GetValue<string>();
        var newRefresh = rotated.Object["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(access, newAccess);
        Assert.NotEqual(refresh, newRefresh);
        Assert.Equal(200, (await OAuthFlow.Account(_amo, newAccess)).Code);
        Problem.Assert(await OAuthFlow.Refresh(_amo, refresh), 400);
        Assert.Equal(200, (await OAuthFlow.Refresh(_amo, newRefresh)).Code);
    }

    [Fact, Trait("api-notes", "§1.1")]
    public async Task A_wrong_client_secret_is_a_400_problem()
    {
        var code = await _amo.Control.IssueAuthCodeAsync(_amo.AccountId);
        var grant = OAuthFlow.CodeGrant(_amo.Server.Options, code);
        grant["client_secret"] = "not-the-secret";

        var answer = await _amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", grant);

        Problem.Assert(answer, 400);
        // The code was not spent by the failed attempt.
        Assert.Equal(200, (await _amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", OAuthFlow.CodeGrant(_amo.Server.Options, code))).Code);
    }

    [Fact, Trait("api-notes", "§1.1")]
    public async Task A_redirect_uri_that_differs_from_the_integration_setting_is_a_400_problem()
    {
        var code = await _amo.Control.IssueAuthCodeAsync(_amo.AccountId);
        var grant = OAuthFlow.CodeGrant(_amo.Server.Options, code);
        grant["redirect_uri"] = "https://evil.example/callback";

        Problem.Assert(await _amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", grant), 400);
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task A_request_without_a_token_is_a_401_problem()
    {
        Problem.Assert(await _amo.ClientWith(null).Call(HttpMethod.Get, "api/v4/leads"), 401);
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task An_unknown_token_is_a_401_problem()
    {
        Problem.Assert(await OAuthFlow.Account(_amo, "eyJ0eXAiOiJKV1QifQ.e30.forged"), 401);
    }
}

/// <summary>OAuth lifetimes, grace and revocation (API-NOTES §1.2, §1.3, §1.6): each test moves the clock or changes a setting, so each has its own sandbox.</summary>
public sealed class OAuthTests
{
    [Fact, Trait("api-notes", "§1.2")]
    public async Task An_authorization_code_expires_after_20_minutes()
    {
        await using var amo = await Amo.StartAsync();
        var code = await amo.Control.IssueAuthCodeAsync(amo.AccountId);
        await amo.Control.AdvanceClockAsync(21 * 60);

        var answer = await amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", OAuthFlow.CodeGrant(amo.Server.Options, code));

        var problem = Problem.Assert(answer, 400);
        Assert.Contains("expired", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact, Trait("api-notes", "§1.2")]
    public async Task An_access_token_expires_after_24_hours_and_then_answers_401_while_its_refresh_token_still_works()
    {
        await using var amo = await Amo.StartAsync();
        var (access, refresh) = await OAuthFlow.Exchange(amo);
        Assert.Equal(200, (await OAuthFlow.Account(amo, access)).Code);

        await amo.Control.AdvanceClockAsync(86400 + 1);

        Problem.Assert(await OAuthFlow.Account(amo, access), 401);
        // The refresh token outlives it: the integration refreshes and carries on.
        var refreshed = await OAuthFlow.Refresh(amo, refresh);
        Assert.Equal(200, refreshed.Code);
        Assert.Equal(200, (await OAuthFlow.Account(amo, refreshed.Object["access_token"]!.GetValue<string>())).Code);
    }

    [Fact, Trait("api-notes", "§1.2")]
    public async Task A_refresh_token_expires_after_three_months_without_exchange()
    {
        await using var amo = await Amo.StartAsync();
        var (_, refresh) = await OAuthFlow.Exchange(amo);

        await amo.Control.AdvanceClockAsync(91L * 86400);

        Assert.Contains("expired", Problem.Assert(await OAuthFlow.Refresh(amo, refresh), 400)["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact, Trait("api-notes", "§1.3")]
    public async Task With_refresh_grace_the_old_refresh_token_works_until_the_new_pair_is_used()
    {
        await using var amo = await Amo.StartAsync(o => o.RefreshTokenGrace = true);
        var (_, refresh) = await OAuthFlow.Exchange(amo);
        Assert.Equal(200, (await OAuthFlow.Refresh(amo, refresh)).Code);

        // The answer of that refresh was "lost": the old token still works once more.
        var retried = await OAuthFlow.Refresh(amo, refresh);
        Assert.Equal(200, retried.Code);

        // Using the new pair ends the old token's grace.
        Assert.Equal(200, (await OAuthFlow.Account(amo, retried.Object["access_token"]!.GetValue<string>())).Code);
        Problem.Assert(await OAuthFlow.Refresh(amo, refresh), 400);
        Assert.Equal(200, (await OAuthFlow.Refresh(amo, retried.Object["refresh_token"]!.GetValue<string>())).Code);
    }

    [Fact, Trait("api-notes", "§1.6")]
    public async Task Tokens_revoked_by_disconnecting_the_integration_answer_401()
    {
        await using var amo = await Amo.StartAsync();
        var (access, refresh) = await OAuthFlow.Exchange(amo);

        await amo.Control.DisconnectAsync(amo.AccountId);

        Problem.Assert(await OAuthFlow.Account(amo, access), 401);
        Problem.Assert(await OAuthFlow.Refresh(amo, refresh), 400);
    }

    [Fact, Trait("api-notes", "§1.2")]
    public async Task The_long_lived_demo_token_works_without_refresh_and_does_not_expire_with_the_day()
    {
        await using var amo = await Amo.StartAsync();
        await amo.Control.AdvanceClockAsync(400L * 86400);

        var answer = await amo.Get("api/v4/account");

        Assert.Equal(200, answer.Code);
        Assert.Equal(amo.AccountId, answer.Object["id"]!.GetValue<long>());
    }
}

/// <summary>Token requests as an integration sends them.</summary>
internal static class OAuthFlow
{
    internal static JsonObject CodeGrant(SandboxOptions o, string code) => new()
    {
        ["client_id"] = o.ClientId, ["client_secret"] = o.ClientSecret, ["grant_type"] = "authorization_code",
        ["code"] = code, ["redirect_uri"] = o.RedirectUri,
    };

    internal static JsonObject RefreshGrant(SandboxOptions o, string refreshToken) => new()
    {
        ["client_id"] = o.ClientId, ["client_secret"] = o.ClientSecret, ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken, ["redirect_uri"] = o.RedirectUri,
    };

    internal static async Task<(string Access, string Refresh)> Exchange(Amo amo)
    {
        var code = await amo.Control.IssueAuthCodeAsync(amo.AccountId);
        var answer = await amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", CodeGrant(amo.Server.Options, code));
        Assert.True(answer.Code == 200, answer.ToString());
        return (answer.Object["access_token"]!.GetValue<string>(), answer.Object["refresh_token"]!.GetValue<string>());
    }

    internal static async Task<Answer> Refresh(Amo amo, string refreshToken) =>
        await amo.ClientWith(null).Call(HttpMethod.Post, "oauth2/access_token", RefreshGrant(amo.Server.Options, refreshToken));

    internal static Task<Answer> Account(Amo amo, string token) => amo.ClientWith(token).Call(HttpMethod.Get, "api/v4/account");
}
