using System.Collections.Concurrent;
using DealCopy.AmoClient.Errors;

namespace DealCopy.AmoClient.OAuth;

/// <summary>
/// Hands out a usable access token per account and refreshes it: one refresh at a time per account, the new pair
/// stored before it is used, and a refresh whose answer was lost retried once with the old refresh token
/// (amoCRM/Kommo keep it valid until the new pair is used, API-NOTES §1.3; if the platform does not, the account
/// must re-authorize and the caller gets <see cref="AmoReauthorizationRequiredException"/>).
/// </summary>
public sealed class AmoTokenManager
{
    private readonly IAmoTokenStore _store;
    private readonly AmoOAuthClient _oauth;
    private readonly AmoClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    public AmoTokenManager(IAmoTokenStore store, AmoOAuthClient oauth, AmoClientOptions options, TimeProvider? time = null)
    {
        _store = store;
        _oauth = oauth;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The account's access token, refreshed first if it is about to expire.</summary>
    public async Task<string> GetAccessTokenAsync(AmoAccount account, CancellationToken cancellationToken)
    {
        var tokens = await LoadAsync(account, cancellationToken).ConfigureAwait(false);
        if (tokens.CanRefresh && IsExpiring(tokens))
        {
            tokens = await RefreshAsync(account, tokens.AccessToken, cancellationToken).ConfigureAwait(false);
        }
        else if (!tokens.CanRefresh && tokens.ExpiresAt is { } exp && exp <= _time.GetUtcNow())
        {
            throw new AmoReauthorizationRequiredException(
                $"The long-lived token of account {account.AccountId} expired at {exp:u}; create a new one in the integration's Keys tab.", null);
        }
        return tokens.AccessToken;
    }

    /// <summary>
    /// Replaces <paramref name="rejectedAccessToken"/> (amoCRM answered 401 to it). If another caller already refreshed
    /// it, that pair is used; otherwise one refresh runs for the account.
    /// </summary>
    public async Task<string> RefreshAfterRejectionAsync(AmoAccount account, string rejectedAccessToken, CancellationToken cancellationToken)
    {
        var tokens = await RefreshAsync(account, rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        return tokens.AccessToken;
    }

    private async Task<AmoTokens> RefreshAsync(AmoAccount account, string staleAccessToken, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(account.AccountId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await LoadAsync(account, cancellationToken).ConfigureAwait(false);
            if (current.AccessToken != staleAccessToken && !IsExpiring(current))
            {
                return current; // refreshed by someone else while we waited
            }
            if (!current.CanRefresh)
            {
                throw new AmoReauthorizationRequiredException(
                    $"amoCRM refused the long-lived token of account {account.AccountId} and it cannot be refreshed; the account must issue a new one.", null);
            }

            AmoTokens fresh;
            try
            {
                fresh = await _oauth.RefreshAsync(account.BaseAddress, current.RefreshToken!, cancellationToken).ConfigureAwait(false);
            }
            catch (AmoTransientException)
            {
                // The answer was lost: the refresh may have happened, so the pair we never saw may be the only valid one.
                // Retry once with the same refresh token; a platform without a grace period refuses it (→ re-authorize).
                fresh = await _oauth.RefreshAsync(account.BaseAddress, current.RefreshToken!, cancellationToken).ConfigureAwait(false);
            }
            // stored before it is used: a refresh token works once, losing the pair would lose the account
            await _store.SaveAsync(account.AccountId, fresh, CancellationToken.None).ConfigureAwait(false);
            return fresh;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<AmoTokens> LoadAsync(AmoAccount account, CancellationToken cancellationToken) =>
        await _store.GetAsync(account.AccountId, cancellationToken).ConfigureAwait(false)
        ?? throw new AmoReauthorizationRequiredException($"No amoCRM tokens are stored for account {account.AccountId}; the integration must be authorized.", null);

    private bool IsExpiring(AmoTokens tokens) =>
        tokens.ExpiresAt is { } exp && exp - _options.TokenRefreshSkew <= _time.GetUtcNow();
}
