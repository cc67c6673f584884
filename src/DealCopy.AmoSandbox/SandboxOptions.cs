namespace DealCopy.AmoSandbox;

/// <summary>Every sandbox setting, bound from the <c>Sandbox</c> configuration section (docs/SANDBOX.md).</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";
    public const string DefaultDemoToken = "dealcopy-sandbox-demo-token";

    public string DemoToken { get; set; } = DefaultDemoToken;
    public bool SeedDemoAccount { get; set; } = true;
    public int DemoLeadCount { get; set; } = 300;

    public string ClientId { get; set; } = "7a3b1f9e-5c2d-4e8a-9b6f-0d1c2e3f4a5b";
    public string ClientSecret { get; set; } = "dealcopy-sandbox-client-secret-0123456789abcdef";
    public string RedirectUri { get; set; } = "http://127.0.0.1:5080/oauth/callback";
    public string DisconnectUrl { get; set; } = "";

    public int AccessTokenLifetimeSeconds { get; set; } = 86400;
    public int RefreshTokenLifetimeSeconds { get; set; } = 7776000;
    public int AuthCodeLifetimeSeconds { get; set; } = 1200;
    /// <summary>Kommo's wording: the old refresh token keeps working until the new pair is used. Off = amocrm.ru's "only once".</summary>
    public bool RefreshTokenGrace { get; set; }

    public int RequestsPerSecond { get; set; } = 7;
    /// <summary>How long every amoCRM answer takes, in milliseconds (0 = at once; the real amoCRM answers in 50–300 ms).</summary>
    public int LatencyMs { get; set; }
    /// <summary>Each answer's latency varies uniformly by up to this many milliseconds either way.</summary>
    public int LatencyJitterMs { get; set; }
    public int BlockAfterViolations { get; set; } = 10;
    public int BlockWindowSeconds { get; set; } = 60;
    public int BlockSeconds { get; set; } = 600;
    public bool BlockedAsHtml { get; set; } = true;

    public int MaxBatch { get; set; } = 250;
    public int MaxComplexBatch { get; set; } = 50;
    public int MaxLimit { get; set; } = 250;
    public int MaxComplexFieldValues { get; set; } = 40;
    public int CustomFieldsPageSize { get; set; } = 50;
    public int TextMaxLength { get; set; } = 256;
    /// <summary>true = the account uses minor units and lead prices may have fractions; false = price must be an int (API-NOTES §4.2).</summary>
    public bool PriceMinorUnits { get; set; }

    public int HookTimeoutSeconds { get; set; } = 2;
    public int InstallHookTimeoutSeconds { get; set; } = 3;
    public int TimeoutFaultSeconds { get; set; } = 100;

    public string ControlKey { get; set; } = "";
    public int Seed { get; set; } = 20261127;
    public int RequestLogCapacity { get; set; } = 200_000;

    internal void Validate()
    {
        if (RequestsPerSecond < 1) throw new InvalidOperationException("Sandbox:RequestsPerSecond must be at least 1");
        if (System.Text.Encoding.UTF8.GetByteCount(ClientSecret) < 32)
            throw new InvalidOperationException("Sandbox:ClientSecret must be at least 32 bytes (HS256 key)");
        if (string.IsNullOrWhiteSpace(DemoToken)) throw new InvalidOperationException("Sandbox:DemoToken must not be empty");
        if (!Uri.TryCreate(RedirectUri, UriKind.Absolute, out _)) throw new InvalidOperationException("Sandbox:RedirectUri must be an absolute URI");
        if (LatencyMs is < 0 or > 60_000 || LatencyJitterMs is < 0 or > 60_000)
            throw new InvalidOperationException("Sandbox:LatencyMs and Sandbox:LatencyJitterMs must be 0..60000");
        if (MaxBatch < 1 || MaxLimit < 1 || CustomFieldsPageSize < 1) throw new InvalidOperationException("Sandbox batch sizes must be positive");
    }
}
