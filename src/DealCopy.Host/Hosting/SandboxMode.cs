using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using DealCopy.Actors.Protocol;
using DealCopy.AmoSandbox;
using DealCopy.AmoSandbox.Seeding;
using DealCopy.Host.Api;
using DealCopy.Host.Configuration;
using Microsoft.Extensions.FileProviders;

namespace DealCopy.Host.Hosting;

/// <summary>
/// <c>--sandbox</c>: everything on embedded defaults. The amoCRM sandbox starts in-process with its demo
/// account, the Host talks to it as to amoCRM, the demo account is installed with its long-lived token,
/// and a helper endpoint mints widget tokens for the harness page and for curl.
/// </summary>
public static class SandboxMode
{
    public static bool Requested(string[] args, IConfiguration config) =>
        args.Contains("--sandbox") || string.Equals(config["Sandbox:Enabled"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Embedded defaults, below every other configuration source so that anything set wins.</summary>
    public static void ApplyDefaults(WebApplicationBuilder builder)
    {
        var sandbox = new SandboxOptions();
        var defaults = new Dictionary<string, string?>
        {
            ["Amo:ClientId"] = sandbox.ClientId,
            ["Amo:ClientSecret"] = sandbox.ClientSecret,
            ["Amo:RedirectUri"] = sandbox.RedirectUri,
            ["Security:TokenEncryptionKey"] = Defaults.SandboxTokenKey,
            ["Security:DpKeySecret"] = Defaults.SandboxDpKeySecret,
            ["Admin:Token"] = Defaults.SandboxAdminToken,
            ["Data:Path"] = Path.Combine(Defaults.DataPath, "sandbox"),
        };
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = defaults });
    }

    /// <summary>
    /// The sandbox's amoCRM lives in memory and starts fresh, so a journal of an earlier sandbox run
    /// would describe deals that no longer exist: start its default SQLite journal fresh too
    /// (<c>Sandbox:KeepJournal=true</c> keeps it).
    /// </summary>
    public static void ForgetPreviousRun(IConfiguration config, string dataPath)
    {
        if (string.Equals(config["Sandbox:KeepJournal"], "true", StringComparison.OrdinalIgnoreCase)) return;
        if (!Directory.Exists(dataPath)) return;
        if (!string.IsNullOrEmpty(config["Journal:ConnectionString"]) || !string.Equals(config["Journal:Provider"] ?? "Sqlite", "Sqlite", StringComparison.OrdinalIgnoreCase)) return;
        foreach (var file in new[] { "journal.db", "journal.db-wal", "journal.db-shm" })
            File.Delete(Path.Combine(dataPath, file));
    }

    /// <summary>Starts the sandbox and points the Host's amoCRM base address at it.</summary>
    public static async Task<AmoSandboxServer> StartSandboxAsync(WebApplicationBuilder builder)
    {
        var amo = builder.Configuration.GetSection(AmoOptions.Section).Get<AmoOptions>()!;
        var url = builder.Configuration["Sandbox:Urls"] ?? "http://127.0.0.1:0";
        var server = await AmoSandboxServer.StartAsync(o =>
        {
            builder.Configuration.GetSection(SandboxOptions.Section).Bind(o);
            o.ClientId = amo.ClientId;
            o.ClientSecret = amo.ClientSecret;
            o.RedirectUri = amo.RedirectUri;
        }, url);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Amo:BaseUrl"] = server.BaseAddress.ToString() });
        builder.Services.AddSingleton(server);
        return server;
    }

    public static void Map(WebApplication app, AmoSandboxServer server)
    {
        // the harness page and curl need fresh widget tokens: amoCRM's frontend would mint them
        app.MapGet("/sandbox/widget-token", async (long? user_id, long? account_id) =>
        {
            var token = await server.Control.WidgetTokenAsync(account_id ?? server.DemoAccountId, user_id ?? DemoAccount.AdminId + 1);
            return Results.Json(new { token, sandbox = server.BaseAddress.ToString() });
        }).ExcludeFromDescription();
        // the same as plain text, for a shell: -H "X-Auth-Token: $(curl -s .../sandbox/widget-token.txt)"
        app.MapGet("/sandbox/widget-token.txt", async (long? user_id, long? account_id) =>
            Results.Text(await server.Control.WidgetTokenAsync(account_id ?? server.DemoAccountId, user_id ?? DemoAccount.AdminId + 1)))
            .ExcludeFromDescription();
        app.MapGet("/sandbox/info", () => Results.Json(new
        {
            sandbox = server.BaseAddress.ToString(),
            account_id = server.DemoAccountId,
            subdomain = DemoAccount.Subdomain,
            demo_token = server.DemoToken,
        })).ExcludeFromDescription();

        var dist = WidgetDist(app);
        if (dist is not null)
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(dist), RequestPath = "/widget" });
            var harness = Path.Combine(dist, "harness");
            if (Directory.Exists(harness))
            {
                app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(harness), RequestPath = "/harness" });
                app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(harness), RequestPath = "/harness" });
            }
        }
    }

    /// <summary>The built widget (<c>widget/dist</c>), found from <c>Widget:DistPath</c> or by walking up to the repository.</summary>
    public static string? WidgetDist(WebApplication app)
    {
        var configured = app.Configuration["Widget:DistPath"];
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        for (var dir = new DirectoryInfo(app.Environment.ContentRootPath); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "widget", "dist");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Installs the sandbox's demo account with its long-lived token (what an admin would do in amoCRM).</summary>
    public static async Task InstallDemoAccountAsync(WebApplication app, AmoSandboxServer server)
    {
        var region = app.Services.GetRequiredService<IRequiredActor<AccountRegion>>();
        var timeout = app.Services.GetRequiredService<AkkaTimeouts>().Ask;
        var reply = await region.ActorRef.Ask<object>(new InstallAccount(server.DemoAccountId, $"{DemoAccount.Subdomain}.amocrm.ru", server.DemoToken, null, null), timeout * 2);
        if (reply is not AccountInstalledReply) throw new InvalidOperationException("the demo account could not be installed: " + reply);
        // The demo's "who may copy": the two sales groups, so that Зоя (trainees) meets the refusal (docs/SANDBOX.md).
        var settings = await region.ActorRef.Ask<object>(new GetCopySettings(server.DemoAccountId, DemoAccount.AdminId), timeout * 2);
        if (settings is CopySettingsView { ChangedAt: null })
        {
            var saved = await region.ActorRef.Ask<object>(new SaveCopySettings(server.DemoAccountId, DemoAccount.AdminId, new CopyAccess([], [0, 1])), timeout * 2);
            if (saved is not CopySettingsView) throw new InvalidOperationException("the demo account's settings could not be saved: " + saved);
        }
    }

    public static async Task<string> BannerAsync(WebApplication app, AmoSandboxServer server)
    {
        var host = app.Urls.First().TrimEnd('/');
        var admin = app.Configuration["Admin:Urls"] is { Length: > 0 } a ? a.Split(';')[0].TrimEnd('/') : host;
        var body = new JsonObject
        {
            ["lead_ids"] = new JsonArray(20000001),
            ["target"] = new JsonObject { ["pipeline_id"] = 7100002 },
            ["idempotency_key"] = "readme-demo-" + Guid.NewGuid().ToString("N")[..8],
        };
        var harness = WidgetDist(app) is { } dist && Directory.Exists(Path.Combine(dist, "harness"))
            ? $"{host}/harness/   (the real widget in a page that plays amoCRM)"
            : "not built (run ./run.sh, which builds the widget first)";
        return $"""

            DealCopy is running in sandbox mode.
              service     : {host}   (health {host}/healthz/ready, OpenAPI {host}/openapi/v1.json)
              widget      : {harness}
              amoCRM      : {server.BaseAddress}  (sandbox; demo account {server.DemoAccountId}, token {server.DemoToken})
              operator API: {admin}/admin/v1/..., {admin}/metrics  (Authorization: Bearer {app.Configuration["Admin:Token"]};
                            CLI: dotnet src/DealCopy.Cli/bin/Release/net10.0/dealcopy.dll cluster show --url {admin} --token {app.Configuration["Admin:Token"]})
            Copy the reference demo deal into pipeline «Повторные продажи» (each call gets a fresh single-use widget
            token, as amoCRM's frontend would add; the idempotency key makes a repeated command return the same job):
              curl -s -X POST {host}/api/v1/copies -H 'Content-Type: application/json' \
                -H "X-Auth-Token: $(curl -s {host}/sandbox/widget-token.txt)" \
                -d '{body.ToJsonString()}'
            then follow the job at the returned url the same way:
              curl -s -H "X-Auth-Token: $(curl -s {host}/sandbox/widget-token.txt)" {host}/api/v1/copies/<id>
            or look at the deal in the sandbox:
              curl -sg -H 'Authorization: Bearer {server.DemoToken}' '{server.BaseAddress}api/v4/leads?filter[pipeline_id]=7100002&order[id]=desc&limit=1'
            Press Ctrl+C to stop.
            """;
    }
}
