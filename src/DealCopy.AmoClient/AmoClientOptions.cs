namespace DealCopy.AmoClient;

/// <summary>Settings of the amoCRM client (bound from the <c>Amo</c> configuration section by the host).</summary>
public sealed class AmoClientOptions
{
    /// <summary>The integration id; sent as <c>X-Client-UUID</c> and in token requests.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The integration secret (token requests only; never logged).</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Must equal the integration's redirect URI exactly (token requests).</summary>
    public string RedirectUri { get; set; } = "";

    /// <summary>One base address for every account (sandbox, tests, a proxy); unset = derived from each account's referer.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent with every request.</summary>
    public string UserAgent { get; set; } = "DealCopy/0.1 (+amoCRM integration)";

    /// <summary>Per attempt; amoCRM's PHP library uses 20 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Per token request; amoCRM's PHP library uses 15 s.</summary>
    public TimeSpan OAuthTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt, for transient failures of repeatable requests and for 429.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay (exponential, jittered).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Backoff cap.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A 429 asking to wait longer than this is not waited out here but thrown to the caller (the account's pacer).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Entities per read request (amoCRM's maximum is 250).</summary>
    public int MaxReadBatch { get; set; } = 250;

    /// <summary>
    /// Characters of id filter per read request (<c>filter[id][]=…&amp;…</c>): 250 long ids do not fit in the 8 KB request line
    /// common servers accept (Kestrel and nginx answer 414), so chunks are also cut by length.
    /// </summary>
    public int MaxIdQueryLength { get; set; } = 6000;

    /// <summary>Entities per create/update request (amoCRM allows 250, recommends 50).</summary>
    public int MaxWriteBatch { get; set; } = 50;

    /// <summary>Refresh an access token this long before it expires.</summary>
    public TimeSpan TokenRefreshSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Called before each retry (logging, metrics, tests).</summary>
    public Action<AmoRetryEvent>? OnRetry { get; set; }

    /// <summary>Refuses settings amoCRM or the pipeline cannot work with (at start, not at the first request).</summary>
    public void Validate()
    {
        if (MaxReadBatch is < 1 or > 250) throw new ArgumentOutOfRangeException(nameof(MaxReadBatch), MaxReadBatch, "amoCRM reads 1..250 entities per request");
        if (MaxWriteBatch is < 1 or > 250) throw new ArgumentOutOfRangeException(nameof(MaxWriteBatch), MaxWriteBatch, "amoCRM writes 1..250 entities per request");
        if (MaxIdQueryLength < 100) throw new ArgumentOutOfRangeException(nameof(MaxIdQueryLength), MaxIdQueryLength, "too short for any id filter");
        if (RequestTimeout <= TimeSpan.Zero || OAuthTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "timeouts must be positive");
        if (MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "must not be negative");
        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay) throw new ArgumentOutOfRangeException(nameof(RetryMaxDelay), "backoff delays must be ordered and not negative");
        if (string.IsNullOrWhiteSpace(UserAgent)) throw new ArgumentException("a descriptive User-Agent is required", nameof(UserAgent));
    }
}

/// <summary>A retry the client is about to make, after <see cref="Delay"/>.</summary>
public sealed record AmoRetryEvent(long AccountId, string Method, string Path, int Attempt, TimeSpan Delay, Exception? Error);
