using OpenTelemetry.Metrics;
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

    /// <summary>
    /// When the test suite sets <c>DEALCOPY_TEST_LOGS</c> (a folder), every Host also writes its log lines there, one
    /// file per Host, so that the suite's last test can scan them all for secrets.
    /// </summary>
    private static readonly string? TestLogs = Environment.GetEnvironmentVariable("DEALCOPY_TEST_LOGS") is { Length: > 0 } dir ? dir : null;

    public static async Task<Built> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.Where(a => a != "--sandbox").ToArray() });
        configure?.Invoke(builder);
        var sandboxMode = SandboxMode.Requested(args, builder.Configuration);
        if (sandboxMode) SandboxMode.ApplyDefaults(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(Defaults.Urls);

        SecretFiles.Apply(builder.Configuration);
        await SeedDiscovery.ApplyAsync(builder.Configuration);
        Validate(builder.Configuration);
        var sandbox = sandboxMode ? await SandboxMode.StartSandboxAsync(builder) : null;

        var logRing = new Logging.LogRing(builder.Configuration.GetValue(AdminOptions.Section + ":LogLines", 1000));
        builder.Services.AddSingleton(logRing);
        // defaults first, then the Serilog section of the configuration (Serilog__MinimumLevel__Default=Warning...)
        builder.Services.AddSerilog((sp, lc) =>
        {
            lc
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Http", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", Serilog.Events.LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.Sink(logRing);
            if (TestLogs is not null)
                lc.WriteTo.File(Path.Combine(TestLogs, $"host-{Environment.ProcessId}-{Guid.NewGuid():N}.log"), formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
        });

        var config = builder.Configuration;
        var amo = config.GetSection(AmoOptions.Section).Get<AmoOptions>()!;
        var security = config.GetSection(SecurityOptions.Section).Get<SecurityOptions>()!;
        var admin = config.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        var cors = config.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        var limits = config.GetSection(LimitsOptions.Section).Get<LimitsOptions>() ?? new LimitsOptions();
        builder.Services.AddSingleton(limits);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = Math.Max(limits.MaxRequestBodyBytes, limits.MaxRequestBodyDrainBytes); // BodyLimit answers 413 beyond MaxRequestBodyBytes
            k.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
            k.Limits.MaxRequestLineSize = limits.MaxRequestLineBytes;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.ValueCountLimit = limits.MaxFormFields;
            o.ValueLengthLimit = (int)Math.Min(int.MaxValue, limits.MaxRequestBodyBytes);
            o.MultipartBodyLengthLimit = limits.MaxRequestBodyBytes;
        });
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
        builder.Services.AddSingleton(config.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions());
        builder.Services.AddSingleton<Hooks.Installer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Hooks.Installer>());
        builder.Services.AddOpenApi();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(Actors.Telemetry.DealCopyMetrics.MeterName)
            // .NET's own: GC heap by generation, working set, thread pool, lock contention (docs/OPERATIONS.md)
            .AddMeter("System.Runtime")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddProblemDetails();

        var dataPath = config["Data:Path"] ?? Defaults.DataPath;
        if (sandboxMode) SandboxMode.ForgetPreviousRun(config, dataPath);
        var (journal, provider) = AkkaSetup.Journal(config, dataPath);
        builder.AddDealCopyActors(journal, provider);

        var app = builder.Build();
        app.UseExceptionHandler(handler => handler.Run(async ctx =>
        {
            var error = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, code, detail) = error switch
            {
                BadHttpRequestException { StatusCode: 413 } => (413, "request.too_large", $"The body may hold at most {limits.MaxRequestBodyBytes} bytes."),
                BadHttpRequestException b => (b.StatusCode, "request.malformed", b.Message),
                System.Text.Json.JsonException => (400, "request.invalid_json", "The body is not valid JSON."),
                // a form beyond Limits:MaxFormFields, a broken multipart body, undecodable form data
                InvalidDataException or System.Text.DecoderFallbackException => (400, "request.malformed", "The form body cannot be read: " + error.Message),
                _ => (500, "internal.error", "Something went wrong on our side; the request may be repeated."),
            };
            if (status == 500) ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DealCopy.Host").LogError(error, "Unhandled error on {Path}", ctx.Request.Path);
            var title = status switch { 500 => "Internal error", 413 => "The request is too large", _ => "The request is malformed" };
            await Problem.Of(status, code, title, detail).ExecuteAsync(ctx);
        }));
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Response.ContentLength is null or 0 && string.IsNullOrEmpty(http.Response.ContentType))
                await Problem.Of(http.Response.StatusCode, http.Response.StatusCode == 404 ? "route.not_found" : $"http.{http.Response.StatusCode}", http.Response.StatusCode == 404 ? "Not found" : "Error",
                    $"{http.Request.Method} {http.Request.Path} answered {http.Response.StatusCode}.").ExecuteAsync(http);
        });
        app.UseMiddleware<BodyLimit>();
        app.UseCors();
        // Prometheus scrapes /metrics on the operator listener (everywhere when Admin:Urls is empty)
        app.UseOpenTelemetryPrometheusScrapingEndpoint(ctx => ctx.Request.Path == "/metrics" && AdminApi.OnAdminPort(ctx, admin));
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
        foreach (var (key, min) in new[] { ("Limits:MaxRequestBodyBytes", 1024), ("Limits:MaxRequestBodyDrainBytes", 0), ("Limits:MaxRequestHeadersTotalBytes", 1024), ("Limits:MaxRequestLineBytes", 256), ("Limits:MaxJsonDepth", 4), ("Limits:MaxFormFields", 16), ("Akka:AccountIdleSeconds", 1), ("Amo:RequestsPerSecond", 1), ("Amo:MinCreateBatch", 1), ("Amo:WindowMarginMs", 0), ("Security:TokenClockSkewSeconds", 0), ("Akka:DownUnreachableAfterSeconds", 1), ("Akka:HeartbeatPauseSeconds", 1), ("Admin:LogLines", 1), ("Jobs:HistoryDays", 1) })
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

    /// <summary>
    /// <c>DealCopy.Host healthcheck [url]</c>: the container's HEALTHCHECK (the ASP.NET image has no curl). 0 when
    /// <c>/healthz/ready</c> answers 200 — the node is Up in the cluster — else 1. Without a url: the first of
    /// ASPNETCORE_URLS on loopback.
    /// </summary>
    public static async Task<int> HealthCheckAsync(string? url, TextWriter? output = null)
    {
        output ??= Console.Out;
        url ??= (Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? Defaults.Urls).Split(';')[0]
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(url.TrimEnd('/') + "/healthz/ready");
            await output.WriteLineAsync($"{url.TrimEnd('/')}/healthz/ready: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await output.WriteLineAsync($"{url}: {e.Message}");
            return 1;
        }
    }

    /// <summary>Program's path: build, start, install the demo account in sandbox mode, print where to look.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["healthcheck", ..]) return await HealthCheckAsync(args.Length > 1 ? args[1] : null);
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
        return ExitCode(app);
    }

    /// <summary>Exit code of a node that the cluster downed (the Split Brain Resolver decided against it).</summary>
    public const int DownedExitCode = 3;

    /// <summary>0 after a requested stop; <see cref="DownedExitCode"/> when the cluster downed this node, so that a supervisor restarts it and says why.</summary>
    private static int ExitCode(WebApplication app) =>
        Akka.Actor.CoordinatedShutdown.Get(app.Services.GetRequiredService<Akka.Actor.ActorSystem>()).ShutdownReason is Akka.Actor.CoordinatedShutdown.ClusterDowningReason
            ? DownedExitCode
            : 0;
}
