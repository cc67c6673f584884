namespace DealCopy.Host.Configuration;

/// <summary>The integration and the per-account API budget (<c>Amo</c> section; ARCHITECTURE §6).</summary>
public sealed class AmoOptions
{
    public const string Section = "Amo";

    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    /// <summary>The integration's redirect URI; its scheme+host is the <c>aud</c> of widget tokens.</summary>
    public string RedirectUri { get; set; } = "";
    /// <summary>One amoCRM base address for every account (sandbox, tests, a proxy); empty = from each account's referer.</summary>
    public string BaseUrl { get; set; } = "";
    public int RequestsPerSecond { get; set; } = 7;
    public int MaxBatch { get; set; } = 250;
    public int MaxCreateBatch { get; set; } = 50;
    /// <summary>
    /// Added to the one-second window. A request already counts until a window after its answer (amoCRM saw it
    /// before that), so this only covers amoCRM's clock granularity.
    /// </summary>
    public int WindowMarginMs { get; set; } = 20;
    public int MetadataTtlSeconds { get; set; } = 60;
    public int RequestTimeoutSeconds { get; set; } = 20;
}

/// <summary>How jobs recover from failures (<c>Jobs</c> section; docs/OPERATIONS.md "When amoCRM is unhealthy").</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>The first wait after a failed step; it doubles while nothing succeeds and starts again after progress.</summary>
    public double RetryBaseSeconds { get; set; } = 1;
    /// <summary>The longest wait between attempts of a failing step.</summary>
    public double RetryMaxSeconds { get; set; } = 300;
    /// <summary>How often a job waiting for its account (blocked, not paid, authorization gone) probes amoCRM again.</summary>
    public double AccountProbeSeconds { get; set; } = 60;
}

/// <summary>Where the actors journal (<c>Journal</c> section).</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary><c>Sqlite</c> (default, a file under <c>Data:Path</c>) or <c>PostgreSQL</c>.</summary>
    public string Provider { get; set; } = "Sqlite";
    public string ConnectionString { get; set; } = "";
}

/// <summary>Secrets (<c>Security</c> section).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public string TokenEncryptionKey { get; set; } = "";
    public string DpKeySecret { get; set; } = "";
    /// <summary>Allowed clock skew for widget tokens.</summary>
    public int TokenClockSkewSeconds { get; set; } = 60;
}

/// <summary>The operator API (<c>Admin</c> section).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Bearer token of the operator API; empty = the operator API is off.</summary>
    public string Token { get; set; } = "";
    /// <summary>Where the operator API listens (loopback by default); empty = on the main listener.</summary>
    public string Urls { get; set; } = "";
}

/// <summary>Cluster membership (<c>Akka</c> section).</summary>
public sealed class AkkaOptions
{
    public const string Section = "Akka";

    public string SystemName { get; set; } = "dealcopy";
    public string Hostname { get; set; } = "127.0.0.1";
    /// <summary>0 = any free port (a single node seeds itself).</summary>
    public int Port { get; set; }
    public string[] SeedNodes { get; set; } = [];
    public string[] Roles { get; set; } = [];
    public int AskTimeoutSeconds { get; set; } = 15;
    /// <summary>An account's entity stops after this long without messages when no job runs or waits.</summary>
    public int AccountIdleSeconds { get; set; } = 120;
}

/// <summary>Browser origins besides amoCRM's (<c>Cors</c> section).</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    public string[] AllowedOrigins { get; set; } = [];
}
