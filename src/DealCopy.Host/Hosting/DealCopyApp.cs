using System.Text;
using DealCopy.AmoSandbox;
using DealCopy.Host.Api;
using DealCopy.Host.Auth;
using DealCopy.Host.Configuration;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;

namespace DealCopy.Host.Hosting;

/// <summary>Builds and runs the Host: used by Program, by tests (real Kestrel on port 0) and by benchmarks.</summary>
public static class DealCopyApp
{
    public sealed record Built(WebApplication App, AmoSandboxServer? Sandbox);

    public static async Task<Built> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.Where(a => a != "--sandbox").ToArray() });
        configure?.Invoke(builder);
        var sandboxMode = SandboxMode.Requested(args, builder.Configuration);
        if (sandboxMode) SandboxMode.ApplyDefaults(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(Defaults.Urls);

        Validate(builder.Configuration);
        var sandbox = sandboxMode ? await SandboxMode.StartSandboxAsync(builder) : null;

        // defaults first, then the Serilog section of the configuration (Serilog__MinimumLevel__Default=Warning...)
        builder.Services.AddSerilog((sp, lc) => lc
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Http", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", Serilog.Events.LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture));

        var config = builder.Configuration;
        var amo = config.GetSection(AmoOptions.Section).Get<AmoOptions>()!;
        var security = config.GetSection(SecurityOptions.Section).Get<SecurityOptions>()!;
        var admin = config.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        var cors = config.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        if (!string.IsNullOrEmpty(admin.Urls))
            builder.WebHost.UseUrls([.. (config["urls"] ?? Defaults.Urls).Split(';'), .. admin.Urls.Split(';')]);

        builder.Services.AddSingleton(sp => new WidgetTokenValidator(amo.ClientId, amo.ClientSecret, amo.RedirectUri,
            TimeSpan.FromSeconds(security.TokenClockSkewSeconds), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddCors(o => o.AddPolicy(WidgetApi.CorsPolicy, p => p
            .SetIsOriginAllowed(origin => AllowedOrigin(origin, cors.AllowedOrigins))
            .WithHeaders("X-Auth-Token", "Content-Type")
            .WithMethods("GET", "POST")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        builder.Services.AddSingleton(new Hooks.HookKeys(security.DpKeySecret, amo.ClientId, amo.ClientSecret));
        builder.Services.AddSingleton(config.GetSection(Hooks.DpOptions.Section).Get<Hooks.DpOptions>() ?? new Hooks.DpOptions());
        builder.Services.AddSingleton<Hooks.Installer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Hooks.Installer>());
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();

        var dataPath = config["Data:Path"] ?? Defaults.DataPath;
        if (sandboxMode) SandboxMode.ForgetPreviousRun(config, dataPath);
        var (journal, provider) = AkkaSetup.Journal(config, dataPath);
        builder.AddDealCopyActors(journal, provider);

        var app = builder.Build();
        app.UseExceptionHandler(handler => handler.Run(async ctx =>
        {
            var error = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, detail) = error switch
            {
                BadHttpRequestException b => (b.StatusCode, b.Message),
                System.Text.Json.JsonException => (400, "The body is not valid JSON."),
                _ => (500, "Something went wrong on our side; the request may be repeated."),
            };
            if (status == 500) ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DealCopy.Host").LogError(error, "Unhandled error on {Path}", ctx.Request.Path);
            await Problem.Of(status, status == 500 ? "internal.error" : "request.malformed", status == 500 ? "Internal error" : "The request is malformed", detail).ExecuteAsync(ctx);
        }));
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Response.ContentLength is null or 0 && string.IsNullOrEmpty(http.Response.ContentType))
                await Problem.Of(http.Response.StatusCode, http.Response.StatusCode == 404 ? "route.not_found" : $"http.{http.Response.StatusCode}", http.Response.StatusCode == 404 ? "Not found" : "Error",
                    $"{http.Request.Method} {http.Request.Path} answered {http.Response.StatusCode}.").ExecuteAsync(http);
        });
        app.UseCors();
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapOpenApi();
        WidgetApi.Map(app);
        Hooks.HookEndpoints.Map(app);
        AdminApi.Map(app, admin);
        if (sandbox is not null) SandboxMode.Map(app, sandbox);
        return new Built(app, sandbox);
    }

    /// <summary>amoCRM account pages (<c>https://*.amocrm.ru</c>, <c>https://*.kommo.com</c>) and configured extras.</summary>
    public static bool AllowedOrigin(string origin, IReadOnlyCollection<string> extra)
    {
        if (extra.Any(e => string.Equals(e.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps) return false;
        return uri.Host.EndsWith(".amocrm.ru", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".kommo.com", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Refuses to start without the settings nothing works without, naming each one.</summary>
    private static void Validate(IConfiguration config)
    {
        var missing = new List<string>();
        void Need(string key, int minBytes = 1)
        {
            var v = config[key];
            if (string.IsNullOrWhiteSpace(v) || Encoding.UTF8.GetByteCount(v) < minBytes)
                missing.Add(minBytes > 1 ? $"{key} (at least {minBytes} bytes)" : key);
        }
        Need("Amo:ClientId");
        Need("Amo:ClientSecret", 32);
        Need("Amo:RedirectUri");
        Need("Security:TokenEncryptionKey", 16);
        Need("Security:DpKeySecret", 16);
        if (missing.Count > 0)
            throw new InvalidOperationException("DealCopy.Host cannot start: set " + string.Join(", ", missing) +
                                                " (environment: Amo__ClientId, ...), or run with --sandbox for the embedded defaults.");
        if (!Uri.TryCreate(config["Amo:RedirectUri"], UriKind.Absolute, out _))
            throw new InvalidOperationException("DealCopy.Host cannot start: Amo:RedirectUri must be an absolute URL.");
        foreach (var (key, min) in new[] { ("Akka:AccountIdleSeconds", 1), ("Amo:RequestsPerSecond", 1), ("Amo:WindowMarginMs", 0), ("Security:TokenClockSkewSeconds", 0) })
        {
            if (config[key] is { } v && (!int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < min))
                throw new InvalidOperationException($"DealCopy.Host cannot start: {key} must be a whole number of at least {min}, not '{v}'.");
        }
        foreach (var key in new[] { "Jobs:RetryBaseSeconds", "Jobs:RetryMaxSeconds", "Jobs:AccountProbeSeconds" })
        {
            if (config[key] is { } v && (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) || !(n > 0)))
                throw new InvalidOperationException($"DealCopy.Host cannot start: {key} must be a positive number of seconds, not '{v}'.");
        }
    }

    /// <summary>Program's path: build, start, install the demo account in sandbox mode, print where to look.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        Built built;
        try
        {
            built = await BuildAsync(args);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var (app, sandbox) = built;
        await app.StartAsync();
        if (sandbox is not null)
        {
            await SandboxMode.InstallDemoAccountAsync(app, sandbox);
            Console.WriteLine(await SandboxMode.BannerAsync(app, sandbox));
        }
        await app.WaitForShutdownAsync();
        if (sandbox is not null) await sandbox.DisposeAsync();
        return 0;
    }
}
