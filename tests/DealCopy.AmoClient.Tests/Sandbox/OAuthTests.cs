using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.OAuth;
using DealCopy.AmoClient.Tests.Support;

namespace DealCopy.AmoClient.Tests.Sandbox;

/// <summary>Authorization code exchange, refresh on expiry, rotation and a lost refresh answer (API-NOTES §1).</summary>
public sealed class OAuthTests
{
    private static async Task<(SandboxHarness H, AmoAccount Account)> AuthorizedAsync(bool grace = false)
    {
        var h = await SandboxHarness.StartAsync(o => o.RefreshTokenGrace = grace);
        var code = await h.Control.CreateAuthCodeAsync(h.AccountId);
        var account = await h.Client.AuthorizeAsync(code, "dealcopy-demo.amocrm.ru");
        return (h, account);
    }

    [Fact]
    public void Api_base_comes_from_the_referer()
    {
        Assert.Equal(new Uri("https://acme.amocrm.ru/"), AmoAccount.BaseAddressFromReferer("acme.amocrm.ru"));
        Assert.Equal(new Uri("https://acme.kommo.com/"), AmoAccount.BaseAddressFromReferer("acme.kommo.com"));
        Assert.Equal(new Uri("http://127.0.0.1:5180/"), AmoAccount.BaseAddressFromReferer("http://127.0.0.1:5180"));
        Assert.Throws<ArgumentException>(() => AmoAccount.BaseAddressFromReferer("not a host/"));
    }

    [Fact]
    public async Task Authorization_code_is_exchanged_and_the_pair_stored_under_the_account_id()
    {
        var (h, account) = await AuthorizedAsync();
        await using var _ = h;

        Assert.Equal(h.AccountId, account.AccountId);
        var tokens = await h.Store.GetAsync(h.AccountId, default);
        Assert.NotNull(tokens);
        Assert.True(tokens.CanRefresh);
        Assert.NotEqual(h.Sandbox.DemoToken, tokens.AccessToken);
        Assert.Equal(h.AccountId, (await h.Client.ForAccount(account).Account.GetAsync()).Id);
    }

    [Fact]
    public async Task Expired_access_token_is_refreshed_once_and_the_call_succeeds()
    {
        var (h, account) = await AuthorizedAsync();
        await using var _ = h;
        var api = h.Client.ForAccount(account);
        var before = await h.Store.GetAsync(h.AccountId, default);
        await api.Account.GetAsync();

        await h.Control.AdvanceClockAsync(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5));
        var accountAfterExpiry = await api.Account.GetAsync();

        Assert.Equal(h.AccountId, accountAfterExpiry.Id);
        var after = await h.Store.GetAsync(h.AccountId, default);
        Assert.NotEqual(before!.AccessToken, after!.AccessToken);
        Assert.NotEqual(before.RefreshToken, after.RefreshToken);
        // the code exchange, then exactly one refresh
        Assert.Equal(2, h.Recorder.Requests.Count(r => r.RequestUri!.AbsolutePath == "/oauth2/access_token"));
    }

    [Fact]
    public async Task Concurrent_calls_with_an_expired_token_share_one_refresh()
    {
        var (h, account) = await AuthorizedAsync();
        await using var _ = h;
        var api = h.Client.ForAccount(account);
        await h.Control.AdvanceClockAsync(TimeSpan.FromDays(2));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.Account.GetAsync()));

        // one exchange of the code, one refresh
        Assert.Equal(2, h.Recorder.Requests.Count(r => r.RequestUri!.AbsolutePath == "/oauth2/access_token"));
    }

    [Fact]
    public async Task Refresh_token_rotates_and_the_old_one_is_refused_afterwards()
    {
        var (h, account) = await AuthorizedAsync();
        await using var _ = h;
        var old = (await h.Store.GetAsync(h.AccountId, default))!;
        await h.Control.AdvanceClockAsync(TimeSpan.FromDays(2));
        await h.Client.ForAccount(account).Account.GetAsync();
        var rotated = (await h.Store.GetAsync(h.AccountId, default))!;

        Assert.NotEqual(old.RefreshToken, rotated.RefreshToken);
        var e = await Assert.ThrowsAsync<AmoReauthorizationRequiredException>(() => h.Client.OAuth.RefreshAsync(account.BaseAddress, old.RefreshToken!, default));
        Assert.Contains("authorize", e.Message);
    }

    [Fact]
    public async Task Lost_refresh_answer_is_retried_with_the_old_token_when_the_platform_keeps_it_valid()
    {
        var (h, account) = await AuthorizedAsync(grace: true);
        await using var _ = h;
        await h.Control.AdvanceClockAsync(TimeSpan.FromDays(2));
        await h.Control.AddFaultAsync(new { method = "POST", path = "/oauth2/access_token", kind = "lost_response", count = 1 });

        var result = await h.Client.ForAccount(account).Account.GetAsync();

        Assert.Equal(h.AccountId, result.Id);
        var stored = (await h.Store.GetAsync(h.AccountId, default))!;
        Assert.True(stored.CanRefresh);
        // the pair from the retry is the one in use: a further refresh with it works
        var next = await h.Client.OAuth.RefreshAsync(account.BaseAddress, stored.RefreshToken!, default);
        Assert.NotEqual(stored.AccessToken, next.AccessToken);
    }

    [Fact]
    public async Task Lost_refresh_answer_without_a_grace_period_asks_for_reauthorization()
    {
        var (h, account) = await AuthorizedAsync(grace: false);
        await using var _ = h;
        await h.Control.AdvanceClockAsync(TimeSpan.FromDays(2));
        await h.Control.AddFaultAsync(new { method = "POST", path = "/oauth2/access_token", kind = "lost_response", count = 1 });

        var e = await Assert.ThrowsAsync<AmoReauthorizationRequiredException>(() => h.Client.ForAccount(account).Account.GetAsync());

        Assert.Equal(AmoErrorKind.ReauthorizationRequired, e.Kind);
        Assert.Contains("authorize", e.Message);
    }

    [Fact]
    public async Task Refused_long_lived_token_asks_for_reauthorization_without_a_refresh()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.Store.SaveAsync(h.AccountId, AmoTokens.LongLived("not-a-valid-token"), default);

        await Assert.ThrowsAsync<AmoReauthorizationRequiredException>(() => h.Api.Account.GetAsync());

        Assert.DoesNotContain(h.Recorder.Requests, r => r.RequestUri!.AbsolutePath == "/oauth2/access_token");
    }

    [Fact]
    public async Task Account_without_tokens_asks_for_authorization()
    {
        await using var h = await SandboxHarness.StartAsync();

        await Assert.ThrowsAsync<AmoReauthorizationRequiredException>(() => h.Client.ForAccount(new AmoAccount(42, h.Sandbox.BaseAddress)).Account.GetAsync());
    }
}
