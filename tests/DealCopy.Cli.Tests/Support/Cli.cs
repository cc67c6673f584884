using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DealCopy.Cli.Tests.Support;

/// <summary>One run of the real <c>dealcopy</c> executable (a separate process), as an operator types it.</summary>
public sealed record CliRun(int ExitCode, string Out, string Err)
{
    public JsonNode Json => JsonNode.Parse(Out) ?? throw new InvalidOperationException("no JSON on stdout: " + Err);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
}

public static class CliProcess
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "dealcopy.dll");

    /// <summary>Runs <c>dealcopy args…</c> with the operator API named by environment variables, as in a shell profile.</summary>
    public static async Task<CliRun> RunAsync(Uri? url, string? token, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("DEALCOPY_ADMIN_URL");
        start.Environment.Remove("DEALCOPY_ADMIN_TOKEN");
        if (url is not null) start.Environment["DEALCOPY_ADMIN_URL"] = url.ToString();
        if (token is not null) start.Environment["DEALCOPY_ADMIN_TOKEN"] = token;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
