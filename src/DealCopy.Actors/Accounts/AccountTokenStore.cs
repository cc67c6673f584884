using System.Collections.Concurrent;
using DealCopy.AmoClient.OAuth;

namespace DealCopy.Actors.Accounts;

/// <summary>
/// The client's token store on this node. Tokens live in the account actor's journal (sealed); the actor
/// loads them here on recovery. A rotated pair is journaled through the actor <em>before</em> the client
/// uses it, so a crash right after a refresh never loses the only valid refresh token (API-NOTES §1.3).
/// </summary>
public sealed class AccountTokenStore : IAmoTokenStore
{
    private readonly ConcurrentDictionary<long, AmoTokens> _tokens = new();

    /// <summary>Journals a pair through the account actor; set by the actor system wiring.</summary>
    public Func<long, AmoTokens, CancellationToken, Task>? Journal { get; set; }

    public Task<AmoTokens?> GetAsync(long accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_tokens.TryGetValue(accountId, out var t) ? t : null);

    public async Task SaveAsync(long accountId, AmoTokens tokens, CancellationToken cancellationToken)
    {
        var journal = Journal ?? throw new InvalidOperationException("the token journal is not wired");
        await journal(accountId, tokens, cancellationToken).ConfigureAwait(false);
        _tokens[accountId] = tokens;
    }

    internal void Load(long accountId, AmoTokens tokens) => _tokens[accountId] = tokens;

    internal void Forget(long accountId) => _tokens.TryRemove(accountId, out _);
}
