using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DealCopy.Host.Hosting;
using DealCopy.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace DealCopy.Host.Tests;

/// <summary>
/// What a new user does after <c>./run.sh</c>: paste the printed commands into a shell. They must work as
/// printed, also minutes later, after the demo account went idle and was stopped.
/// </summary>
public sealed class SandboxModeTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "dealcopy-sandbox-mode-" + Guid.NewGuid().ToString("N"));
    private DealCopyApp.Built _built = null!;
    private string _banner = "";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        _built = await DealCopyApp.BuildAsync(["--sandbox", "--urls", "http://127.0.0.1:0"], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Data:Path"] = _data,
            ["Akka:AccountIdleSeconds"] = "1",
            // a second of skew: a token printed at start would already count as "issued before the wake"
            ["Security:TokenClockSkewSeconds"] = "1",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }));
        await _built.App.StartAsync();
        await SandboxMode.InstallDemoAccountAsync(_built.App, _built.Sandbox!);
        _banner = await SandboxMode.BannerAsync(_built.App, _built.Sandbox!);
        _http.BaseAddress = new Uri(_built.App.Urls.First().TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _built.App.StopAsync();
        await _built.App.DisposeAsync();
        await _built.Sandbox!.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    /// <summary>The printed command that starts with <paramref name="start"/>, with its continuation lines.</summary>
    private string Command(string start)
    {
        var lines = _banner.Split('\n').Select(l => l.Trim()).ToList();
        var i = lines.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.True(i >= 0, $"the banner has no command starting with «{start}»:\n{_banner}");
        var command = new List<string> { lines[i] };
        while (command[^1].EndsWith('\\')) command.Add(lines[++i]);
        return string.Join('\n', command);
    }

    private static async Task<JsonNode> ShellAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"«{command}» failed: {await process.StandardError.ReadToEndAsync(deadline.Token)}");
        return JsonNode.Parse(output) ?? throw new InvalidOperationException($"«{command}» printed nothing");
    }

    private Task<bool> DemoAccountAwakeAsync() => SandboxChecks.AccountAwakeAsync(_http, "dealcopy-sandbox-admin-token", _built.Sandbox!.DemoAccountId);

    [Fact]
    public async Task The_printed_commands_copy_a_demo_deal_also_after_the_account_idled()
    {
        Assert.Contains("Authorization: Bearer dealcopy-sandbox-admin-token", _banner);
        await Poll.UntilAsync(DemoAccountAwakeAsync, awake => !awake, TimeSpan.FromSeconds(30), _ => "the idle demo account never stopped");

        var copy = Command("curl -s -X POST");
        var accepted = await ShellAsync(copy);
        var id = accepted["id"]?.GetValue<string>() ?? throw new InvalidOperationException("no job id: " + accepted.ToJsonString());
        Assert.Equal(id, (await ShellAsync(copy))["id"]!.GetValue<string>()); // run twice: the same job

        var follow = Command("curl -s -H \"X-Auth-Token:").Replace("<id>", id, StringComparison.Ordinal);
        var job = await Poll.UntilAsync(() => ShellAsync(follow), j => j["status"]?.GetValue<string>() == "completed", TimeSpan.FromSeconds(60),
            j => "the job did not complete: " + j.ToJsonString());
        var leadId = job["deals"]![0]!["copies"]![0]!["lead_id"]!.GetValue<long>();

        var newest = await ShellAsync(Command("curl -sg"));
        var lead = newest["_embedded"]!["leads"]![0]!;
        Assert.Equal(leadId, lead["id"]!.GetValue<long>());
        Assert.Equal(7100002, lead["pipeline_id"]!.GetValue<long>());
    }
}
