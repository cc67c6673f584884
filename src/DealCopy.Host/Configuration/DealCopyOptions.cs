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
    /// <summary>
    /// Entities per write when amoCRM copes (its maximum, 250). amoCRM recommends 50 and answers 504 to writes it cannot
    /// finish under load: two 504s or timed-out writes in a row halve the account's write size, down to <see cref="MinCreateBatch"/>,
    /// and 8 writes answered in a row double it again.
    /// </summary>
    public int MaxCreateBatch { get; set; } = 250;
    /// <summary>The least a 504 brings an account's writes down to (amoCRM's recommended write size).</summary>
    public int MinCreateBatch { get; set; } = 50;
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
    public double RetryMaxSeconds { get; set; } = 30;
    /// <summary>How often a job waiting for its account (blocked, not paid, authorization gone) probes amoCRM again.</summary>
    public double AccountProbeSeconds { get; set; } = 60;
    /// <summary>How many days back GET /api/v1/copies lists jobs; older jobs stay in the journal and answer GET /api/v1/copies/{id}.</summary>
    public int HistoryDays { get; set; } = 90;
}

/// <summary>Where the actors journal (<c>Journal</c> section).</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary><c>Sqlite</c> (default, a file under <c>Data:Path</c>) or <c>PostgreSQL</c>.</summary>
    public string Provider { get; set; } = "Sqlite";
    public string ConnectionString { get; set; } = "";
    /// <summary>PostgreSQL's password, apart from the connection string (so that it can be a Docker secret); empty = as in the string.</summary>
    public string Password { get; set; } = "";
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
    /// <summary>How many of this node's last log lines <c>GET /admin/v1/log</c> (<c>dealcopy log peek</c>) can show.</summary>
    public int LogLines { get; set; } = 1000;
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
    /// <summary><c>dns:name:port</c>: seed nodes from every address of a DNS name (Swarm's <c>tasks.dealcopy</c>); replaces <see cref="SeedNodes"/>.</summary>
    public string SeedDiscovery { get; set; } = "";
    /// <summary>Only addresses in this CIDR are cluster members (a Swarm task has one address per network); empty = the node's own subnet.</summary>
    public string SeedSubnet { get; set; } = "";
    /// <summary>How long to wait for this node's own address to appear in the DNS answer.</summary>
    public int SeedDiscoveryTimeoutSeconds { get; set; } = 30;
    public string[] Roles { get; set; } = [];
    public int AskTimeoutSeconds { get; set; } = 15;
    /// <summary>An account's entity stops after this long without messages when no job runs or waits.</summary>
    public int AccountIdleSeconds { get; set; } = 120;
    /// <summary>
    /// The Split Brain Resolver (keep-majority) downs the unreachable side after the membership has been stable this
    /// long (Akka's <c>stable-after</c>); the downed node's accounts restart on the survivors from the journal.
    /// </summary>
    public int DownUnreachableAfterSeconds { get; set; } = 20;
    /// <summary>How long a node may miss heartbeats before the others mark it unreachable (the failure detector's pause).</summary>
    public int HeartbeatPauseSeconds { get; set; } = 3;
}

/// <summary>Browser origins besides amoCRM's (<c>Cors</c> section).</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Every setting the Host reads (README's configuration reference): the typed sections plus the few read by
/// name. Deployment files are checked against it (a test reads deploy/swarm), so a typo there fails a test,
/// not a production start.
/// </summary>
public static class HostSettings
{
    public static readonly Type[] Sections =
        [typeof(AmoOptions), typeof(JournalOptions), typeof(SecurityOptions), typeof(AdminOptions), typeof(AkkaOptions), typeof(CorsOptions), typeof(Hooks.DpOptions), typeof(JobsOptions), typeof(LimitsOptions)];

    /// <summary>Read by name (not through a section type); <c>Serilog</c> takes any key under it.</summary>
    public static readonly string[] Named = ["urls", "Data:Path", "Widget:DistPath", "Sandbox:Enabled", "Sandbox:KeepJournal", "Sandbox:Urls"];

    /// <summary>Whether <paramref name="key"/> (<c>Amo:ClientSecret</c>, or its <c>_FILE</c> form) is one the Host reads.</summary>
    public static bool Reads(string key)
    {
        if (key.EndsWith(SecretFiles.Suffix, StringComparison.OrdinalIgnoreCase)) key = key[..^SecretFiles.Suffix.Length];
        if (key.StartsWith("Serilog:", StringComparison.OrdinalIgnoreCase)) return true;
        if (Named.Contains(key, StringComparer.OrdinalIgnoreCase)) return true;
        var parts = key.Split(':');
        // arrays bind by index: Akka:SeedNodes:0
        if (parts.Length == 3 && int.TryParse(parts[2], out _)) parts = parts[..2];
        return parts.Length == 2 && Sections.Any(t =>
            string.Equals((string?)t.GetField("Section")?.GetValue(null), parts[0], StringComparison.OrdinalIgnoreCase)
            && t.GetProperty(parts[1], System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) is not null);
    }
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
