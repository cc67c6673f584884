namespace DealCopy.AmoSandbox.Platform;

/// <summary>
/// For the test suite's secrets scan: when <c>DEALCOPY_TEST_SECRETS</c> names a folder, every secret the sandbox
/// knows or mints (client secret, access and refresh tokens, install codes, widget JWTs, account ids for deriving DP
/// keys) is appended to a file there, one <c>kind&lt;TAB&gt;value</c> a line, so that a later test can check that no
/// log line of the whole run contains one. Off otherwise.
/// </summary>
public static class SecretLedger
{
    private static readonly object Gate = new();
    private static readonly string? Folder = Environment.GetEnvironmentVariable("DEALCOPY_TEST_SECRETS") is { Length: > 0 } f ? f : null;

    public static void Publish(string kind, string? value)
    {
        if (Folder is null || string.IsNullOrEmpty(value)) return;
        lock (Gate)
        {
            Directory.CreateDirectory(Folder);
            File.AppendAllText(Path.Combine(Folder, $"secrets-{Environment.ProcessId}.tsv"), $"{kind}\t{value}\n");
        }
    }
}
