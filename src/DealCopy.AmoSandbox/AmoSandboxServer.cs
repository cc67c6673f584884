using DealCopy.AmoSandbox.Api;
using DealCopy.AmoSandbox.Control;
using DealCopy.AmoSandbox.Platform;
using DealCopy.AmoSandbox.Seeding;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DealCopy.AmoSandbox;

/// <summary>
/// amoCRM in a box: an in-memory amoCRM API v4 served by Kestrel over real HTTP. Tests start it on
/// 127.0.0.1:0; the runnable and the Host's sandbox mode start it on a configured address.
/// </summary>
public sealed class AmoSandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AmoSandboxServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Runtime = app.Services.GetRequiredService<SandboxRuntime>();
        Control = new SandboxControlClient(baseAddress, Options.ControlKey);
    }

    /// <summary>Where the sandbox listens, with a trailing slash (http://127.0.0.1:port/).</summary>
    public Uri BaseAddress { get; }
    public SandboxControlClient Control { get; }
    internal SandboxRuntime Runtime { get; }
    public SandboxOptions Options => Runtime.Options;
    public long DemoAccountId => DemoAccount.Id;
    public string DemoToken => Options.DemoToken;
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a sandbox in-process; <paramref name="url"/> defaults to a free loopback port.</summary>
    public static async Task<AmoSandboxServer> StartAsync(Action<SandboxOptions>? configure = null, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = Build(builder, configure);
        await app.StartAsync(cancellationToken);
        return new AmoSandboxServer(app, ListeningAddress(app));
    }

    /// <summary>Wires the sandbox into a web application (used by <see cref="StartAsync"/> and Program).</summary>
    public static WebApplication Build(WebApplicationBuilder builder, Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions();
        builder.Configuration.GetSection(SandboxOptions.Section).Bind(options);
        configure?.Invoke(options);
        options.Validate();
        Platform.SecretLedger.Publish("client_secret", options.ClientSecret);
        Platform.SecretLedger.Publish("access_token", options.DemoToken);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new SandboxClock());
        builder.Services.AddSingleton<SandboxRuntime>();
        builder.Services.AddSingleton<HookSender>();
        builder.Services.AddHttpClient("hooks");
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteOptions>(o => o.LowercaseUrls = false);

        var app = builder.Build();
        var rt = app.Services.GetRequiredService<SandboxRuntime>();
        Seeder.Reset(rt);
        app.UseMiddleware<RequestPipeline>();
        OAuthEndpoints.Map(app);
        AccountEndpoints.Map(app);
        LeadsEndpoints.Map(app);
        PartiesEndpoints.Map(app);
        LinksEndpoints.Map(app);
        FieldsAndTagsEndpoints.Map(app);
        NotesEndpoints.Map(app);
        TasksAndCatalogsEndpoints.Map(app);
        ControlEndpoints.Map(app);
        app.Lifetime.ApplicationStarted.Register(() => rt.State.ApiDomain = ListeningAddress(app).Authority);
        return app;
    }

    internal static Uri ListeningAddress(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await _app.Services.GetRequiredService<HookSender>().Drain();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
