using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.OAuth;

namespace DealCopy.AmoClient;

/// <summary>
/// Entry point of the amoCRM API v4 client: one per process (it holds the HTTP client, the token rules and the retry
/// pipeline); <see cref="ForAccount"/> gives the typed API of one account.
/// </summary>
public sealed class AmoClient
{
    private readonly AmoHttp _http;
    private readonly IAmoTokenStore _tokenStore;

    public AmoClient(HttpClient http, AmoClientOptions options, IAmoTokenStore tokenStore, IAmoRequestGate? gate = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenStore);
        options.Validate();
        time ??= TimeProvider.System;
        Options = options;
        _tokenStore = tokenStore;
        OAuth = new AmoOAuthClient(http, options, time);
        Tokens = new AmoTokenManager(tokenStore, OAuth, options, time);
        _http = new AmoHttp(http, options, Tokens, gate ?? NoAmoRequestGate.Instance, time);
    }

    public AmoClientOptions Options { get; }

    /// <summary>Raw token requests (code exchange, refresh).</summary>
    public AmoOAuthClient OAuth { get; }

    /// <summary>Access tokens per account, with single-flight refresh.</summary>
    public AmoTokenManager Tokens { get; }

    /// <summary>The API base for an account: <see cref="AmoClientOptions.BaseUrl"/> when set, else from the account's referer.</summary>
    public Uri BaseAddressFor(string? referer) =>
        Options.BaseUrl ?? AmoAccount.BaseAddressFromReferer(referer ?? throw new ArgumentException("A referer is needed when Amo:BaseUrl is not set.", nameof(referer)));

    /// <summary>The typed API of one account (cheap; make one per use or keep it).</summary>
    public AmoAccountClient ForAccount(AmoAccount account) => new(new AmoCalls(_http, account));

    /// <summary>The typed API of one account addressed by its referer (e.g. <c>acme.amocrm.ru</c>).</summary>
    public AmoAccountClient ForAccount(long accountId, string? referer) => ForAccount(new AmoAccount(accountId, BaseAddressFor(referer)));

    /// <summary>
    /// Completes an installation: exchanges the authorization code from the redirect (<paramref name="referer"/> names the
    /// account's host), learns the account id (token claim, else <c>GET /api/v4/account</c>) and stores the pair.
    /// </summary>
    public async Task<AmoAccount> AuthorizeAsync(string code, string? referer, CancellationToken cancellationToken = default)
    {
        var baseAddress = BaseAddressFor(referer);
        var tokens = await OAuth.ExchangeCodeAsync(baseAddress, code, cancellationToken).ConfigureAwait(false);
        var accountId = AmoAccessTokenClaims.AccountId(tokens.AccessToken);
        if (accountId is null)
        {
            // no claim: ask the API with a throwaway store that holds just this pair
            var probeStore = new InMemoryAmoTokenStore();
            await probeStore.SaveAsync(0, tokens, cancellationToken).ConfigureAwait(false);
            var probe = new AmoClient(_http.HttpClient, Options, probeStore);
            accountId = (await probe.ForAccount(new AmoAccount(0, baseAddress)).Account.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
        }
        await _tokenStore.SaveAsync(accountId.Value, tokens, cancellationToken).ConfigureAwait(false);
        return new AmoAccount(accountId.Value, baseAddress);
    }
}

/// <summary>The typed amoCRM API of one account.</summary>
public sealed class AmoAccountClient
{
    internal AmoAccountClient(AmoCalls calls)
    {
        AmoAccount = calls.Account;
        Account = new AccountApi(calls);
        Leads = new LeadsApi(calls);
        Links = new LinksApi(calls);
        Notes = new NotesApi(calls);
        Tasks = new TasksApi(calls);
        CustomFields = new CustomFieldsApi(calls);
        Catalogs = new CatalogsApi(calls);
        Contacts = new ContactsApi(calls);
        Companies = new CompaniesApi(calls);
        Tags = new TagsApi(calls);
    }

    /// <summary>Which account and host this talks to.</summary>
    public AmoAccount AmoAccount { get; }

    /// <summary>Account, users, pipelines.</summary>
    public AccountApi Account { get; }
    public LeadsApi Leads { get; }
    public LinksApi Links { get; }
    public NotesApi Notes { get; }
    public TasksApi Tasks { get; }
    public CustomFieldsApi CustomFields { get; }
    public CatalogsApi Catalogs { get; }
    public ContactsApi Contacts { get; }
    public CompaniesApi Companies { get; }
    public TagsApi Tags { get; }
}
