namespace DealCopy.Host.Configuration;

/// <summary>
/// Embedded defaults for a first run (<c>--sandbox</c>): the sandbox's integration credentials and a
/// throwaway local data folder. A production deployment sets every secret itself; without
/// <c>--sandbox</c> the Host refuses to start on these.
/// </summary>
public static class Defaults
{
    public const string Urls = "http://127.0.0.1:5080";
    public const string DataPath = ".data";
    public const string SandboxTokenKey = "dealcopy-sandbox-token-encryption-key";
    public const string SandboxDpKeySecret = "dealcopy-sandbox-dp-key-secret";
    public const string SandboxAdminToken = "dealcopy-sandbox-admin-token";
}
