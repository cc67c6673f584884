using System.Text.RegularExpressions;
using DealCopy.Host.Configuration;
using DealCopy.Host.Hooks;

namespace DealCopy.Secrets.Tests;

/// <summary>
/// Secrets stay secret (ARCHITECTURE §3.8): after the whole suite ran, no log line any Host wrote (artifacts/logs,
/// <c>DEALCOPY_TEST_LOGS</c>) contains an access or refresh token, an install code, a client secret, a DP key or its
/// secret, a widget JWT, the token encryption key or the admin token. The sandbox and the test hosts wrote down every
/// secret they used (artifacts/secrets, <c>DEALCOPY_TEST_SECRETS</c>). No logs, or no secrets, is a failure: the scan
/// must not pass vacuously.
/// </summary>
public sealed partial class LogScanTests
{
    [GeneratedRegex(@"[A-Za-z0-9_\-\.]{12,}")]
    private static partial Regex Words();

    private static string Folder(string variable, string fallback)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } dir) return dir;
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "DealCopy.sln"))) root = Path.GetDirectoryName(root);
        return Path.Combine(root ?? ".", "artifacts", fallback);
    }

    [Fact]
    public void No_log_line_of_the_test_run_contains_a_secret()
    {
        var logs = Folder("DEALCOPY_TEST_LOGS", "logs");
        var ledger = Folder("DEALCOPY_TEST_SECRETS", "secrets");
        var logFiles = Directory.Exists(logs) ? Directory.GetFiles(logs, "*.log", SearchOption.AllDirectories) : [];
        Assert.True(logFiles.Length > 0, $"no log files in {logs}: run the suite through ./test.sh (it sets DEALCOPY_TEST_LOGS), or the scan proves nothing");
        var ledgerFiles = Directory.Exists(ledger) ? Directory.GetFiles(ledger, "*.tsv") : [];
        Assert.True(ledgerFiles.Length > 0, $"no secrets written down in {ledger}: the sandbox publishes them when DEALCOPY_TEST_SECRETS is set");

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal); // value → kind
        var dpSecrets = new HashSet<string>(StringComparer.Ordinal) { Defaults.SandboxDpKeySecret };
        var accounts = new HashSet<long>();
        foreach (var line in ledgerFiles.SelectMany(File.ReadLines))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0) continue;
            var (kind, value) = (line[..tab], line[(tab + 1)..]);
            if (kind == "account_id") accounts.Add(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
            else if (kind == "dp_key_secret") dpSecrets.Add(value);
            if (kind != "account_id") secrets.TryAdd(value, kind);
        }
        foreach (var (value, kind) in new[] { (Defaults.SandboxTokenKey, "host_secret"), (Defaults.SandboxAdminToken, "host_secret"), (Defaults.SandboxDpKeySecret, "dp_key_secret") })
            secrets.TryAdd(value, kind);
        foreach (var secret in dpSecrets)
            foreach (var account in accounts)
                secrets.TryAdd(new HookKeys(secret, "", "").DpKeyFor(account), "dp_key");
        foreach (var kind in new[] { "access_token", "refresh_token", "widget_jwt", "client_secret", "host_secret", "dp_key" })
            Assert.True(secrets.ContainsValue(kind), $"the ledger names no {kind}: the scan would not look for them");
        // a JWT's signature alone is as good as the token to someone who has the rest of it
        foreach (var (value, kind) in secrets.Where(s => s.Value is "access_token" or "widget_jwt" && s.Key.Count(c => c == '.') == 2).ToList())
            secrets.TryAdd(value.Split('.')[2], kind + " signature");
        var configured = secrets.Where(s => s.Value is "client_secret" or "host_secret" or "dp_key_secret").Select(s => s.Key).ToList();

        var lines = 0;
        var found = new List<string>();
        foreach (var file in logFiles)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                lines++;
                foreach (Match word in Words().Matches(line))
                {
                    var w = word.Value;
                    var kind = Hit(w) ?? Hit(w.Trim('.', '-', '_')) ?? w.Split('.').Select(Hit).FirstOrDefault(k => k is not null);
                    if (kind is not null)
                        found.Add($"{Path.GetFileName(file)}:{number}: a {kind} ({w[..Math.Min(6, w.Length)]}…)");
                }
                foreach (var secret in configured.Where(s => line.Contains(s, StringComparison.Ordinal)))
                    found.Add($"{Path.GetFileName(file)}:{number}: a {secrets[secret]} ({secret[..4]}…)");
            }
        }
        Assert.True(lines > 0, $"the log files in {logs} are empty: the scan proves nothing");
        Assert.True(found.Count == 0, $"{found.Count} secrets in {lines} log lines:\n" + string.Join("\n", found.Distinct().Take(30)));

        string? Hit(string w) => secrets.GetValueOrDefault(w);
    }
}
