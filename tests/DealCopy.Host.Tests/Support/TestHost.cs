using DealCopy.AmoSandbox;
using DealCopy.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// The DealCopy Host on a real Kestrel port (127.0.0.1:0) talking over real HTTP to an amoCRM sandbox,
/// journaling into a real SQLite file (or PostgreSQL). Restartable on the same journal.
/// </summary>
public sealed class TestHost : HostClient, IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, AmoSandboxServer sandbox, Uri baseAddress) : base(sandbox, baseAddress) => _app = app;

    /// <summary>Starts a Host against <paramref name="sandbox"/>; <paramref name="dataPath"/> holds the SQLite journal.</summary>
    public static async Task<TestHost> StartAsync(AmoSandboxServer sandbox, string dataPath, string? postgres = null, IDictionary<string, string?>? overrides = null, TimeProvider? jobClock = null)
    {
        var settings = Settings(sandbox, dataPath, postgres);
        settings["urls"] = "http://127.0.0.1:0";
        settings["Akka:Port"] = "0";
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        foreach (var key in new[] { "Security:TokenEncryptionKey", "Security:DpKeySecret", "Admin:Token", "Amo:ClientSecret" })
            AmoSandbox.Platform.SecretLedger.Publish(key == "Security:DpKeySecret" ? "dp_key_secret" : "host_secret", settings[key]);

        var built = await DealCopyApp.BuildAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            if (jobClock is not null) b.Services.AddSingleton(new Hooks.JobClock(jobClock));
            b.Logging.SetMinimumLevel(ScanLogs ? LogLevel.Information : LogLevel.Warning);
        });
        await built.App.StartAsync();
        var address = built.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new TestHost(built.App, sandbox, new Uri(address.TrimEnd('/') + "/"));
        await host.WaitReadyAsync();
        return host;
    }

    /// <summary>Stops the Host (its ActorSystem too), as a node going down.</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // already stopped by the test
        }
    }
}
