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

/// <summary>How much a request may carry (<c>Limits</c> section): Kestrel's size limits and the JSON reader's depth.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";
    public const int DefaultJsonDepth = 32;

    /// <summary>Largest request body; a larger one is a 413 problem (500 deal ids take about 5 KB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>
    /// A larger body up to this size is still read to its end before the 413, so that a client that keeps sending
    /// gets the answer instead of a closed connection; beyond it the connection is closed after the 413.
    /// </summary>
    public long MaxRequestBodyDrainBytes { get; set; } = 16 * 1024 * 1024;
    /// <summary>All request headers together (Kestrel answers 431 beyond it).</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;
    /// <summary>The request line: method, path and query (Kestrel answers 414 beyond it).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;
    /// <summary>Nesting depth of a JSON body; deeper is a 400.</summary>
    public int MaxJsonDepth { get; set; } = DefaultJsonDepth;
    /// <summary>Fields of a form-encoded hook body.</summary>
    public int MaxFormFields { get; set; } = 1024;
}
