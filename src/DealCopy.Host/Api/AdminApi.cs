using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DealCopy.Actors.Protocol;
using DealCopy.Host.Configuration;
using DealCopy.Host.Hosting;

namespace DealCopy.Host.Api;

/// <summary>
/// The operator API (<c>/admin/v1</c>, bearer <c>Admin:Token</c>): install an account with a long-lived
/// token (private integrations, the sandbox), inspect accounts and jobs, see the cluster. Off when no token is set.
/// </summary>
public static class AdminApi
{
    public static void Map(IEndpointRouteBuilder app, AdminOptions options)
    {
        var admin = app.MapGroup("/admin/v1").AddEndpointFilter(async (inv, next) =>
        {
            var ctx = inv.HttpContext;
            if (string.IsNullOrEmpty(options.Token) || !OnAdminPort(ctx, options)) return Problem.NotFound("route.not_found", "There is no such route.");
            var header = ctx.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(options.Token)))
                return Problem.Unauthorized("admin.token_invalid", "The operator token is missing or wrong.");
            return await next(inv);
        }).ExcludeFromDescription();

        admin.MapPost("/accounts", WidgetApi.Handler(Install));
        admin.MapGet("/accounts/{id:long:min(1)}", async (HttpContext ctx, long id) => await WidgetApi.Ask(ctx, new GetAccountStatus(id)) switch
        {
            AccountStatusView v => Results.Json(v, Problem.Json),
            IResult r => r,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        });
        admin.MapGet("/accounts/{id:long:min(1)}/jobs/{jobId}", async (HttpContext ctx, long id, string jobId) => await WidgetApi.Ask(ctx, new GetJob(id, jobId)) switch
        {
            JobView v => Results.Json(WidgetApi.View(v, await WidgetApi.Ask(ctx, new GetAccountStatus(id)) is AccountStatusView { Referer: { } referer } ? referer : "amocrm.ru"), Problem.Json),
            JobNotFound => Problem.NotFound("job.not_found", $"There is no job {jobId} in account {id}.", Refusal.Parameters(("job_id", jobId), ("account_id", id))),
            IResult r => r,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        });
        admin.MapGet("/cluster", (ActorSystem system) =>
        {
            var state = Cluster.Get(system).State;
            return Results.Json(new
            {
                self = Cluster.Get(system).SelfAddress.ToString(),
                leader = state.Leader?.ToString(),
                members = state.Members.Select(m => new { address = m.Address.ToString(), status = m.Status.ToString(), roles = m.Roles }),
                unreachable = state.Unreachable.Select(m => m.Address.ToString()),
            }, Problem.Json);
        });
        // which accounts are awake on this node, by shard (pbm's "cluster sharding region-state")
        admin.MapGet("/cluster/sharding", async (IRequiredActor<AccountRegion> region, AkkaTimeouts timeouts) =>
        {
            var state = await region.ActorRef.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeouts.Ask);
            return Results.Json(new
            {
                region = "account",
                shards = state.Shards.OrderBy(s => s.ShardId, StringComparer.Ordinal)
                    .Select(s => new { id = s.ShardId, entities = s.EntityIds.Order(StringComparer.Ordinal) }),
                failed = state.Failed.Order(StringComparer.Ordinal),
            }, Problem.Json);
        });
    }

    private static bool OnAdminPort(HttpContext ctx, AdminOptions options)
    {
        if (string.IsNullOrEmpty(options.Urls)) return true;
        return options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Any(u => Uri.TryCreate(u.Replace("*", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port == ctx.Connection.LocalPort);
    }

    /// <summary>Installs an account with a token an admin generated in amoCRM ("long-lived token", API-NOTES §1.2).</summary>
    private static async Task<IResult> Install(HttpContext ctx)
    {
        var (json, bad) = await JsonBody.ReadAsync(ctx);
        if (bad is not null) return bad;
        var f = new RequestFields();
        if (json is not JsonObject body)
        {
            f.WrongType("", "object", json, "the body must be a JSON object");
            return Problem.Of(400, "request.invalid", "The request is malformed", "The account cannot be installed as given.", f.Refusals);
        }
        foreach (var key in body.Select(kv => kv.Key).Where(k => k is not ("account_id" or "referer" or "access_token" or "refresh_token" or "expires_at"))) f.Unknown(key);
        long accountId = 0;
        if (body["account_id"] is not { } idv) f.Missing("account_id", "required: the amoCRM account id");
        else if (!RequestFields.IsNumber(idv)) f.WrongType("account_id", "number", idv, "must be the amoCRM account id");
        else if (!RequestFields.IsLong(idv, out accountId) || accountId <= 0) f.Invalid("account_id", "must be a positive whole number");
        string? Text(string name, bool required, string what)
        {
            if (body[name] is not { } n)
            {
                if (required) f.Missing(name, "required: " + what);
                return null;
            }
            if (!RequestFields.IsString(n, out var value)) f.WrongType(name, "string", n, "must be " + what);
            else if (string.IsNullOrWhiteSpace(value) || value.Length > 8192) f.Invalid(name, "must be " + what);
            else return value;
            return null;
        }
        var referer = Text("referer", true, "the account host, e.g. example.amocrm.ru");
        if (referer is not null && (referer.Contains('/') || !referer.Contains('.'))) f.Invalid("referer", "must be the account host, e.g. example.amocrm.ru");
        var access = Text("access_token", true, "the access token");
        var refresh = Text("refresh_token", false, "the refresh token");
        long? expiresAt = null;
        if (body["expires_at"] is { } ev)
        {
            if (!RequestFields.IsNumber(ev)) f.WrongType("expires_at", "number", ev, "must be a Unix time in seconds");
            else if (!RequestFields.IsLong(ev, out var e) || e <= 0) f.Invalid("expires_at", "must be a Unix time in seconds");
            else expiresAt = e;
        }
        if (f.Any) return Problem.Of(400, "request.invalid", "The request is malformed", "The account cannot be installed as given.", f.Refusals);
        var answer = await WidgetApi.Ask(ctx, new InstallAccount(accountId, referer!, access!, refresh, expiresAt));
        return answer switch
        {
            AccountInstalledReply ok => Results.Json(new { account_id = ok.AccountId, subdomain = ok.Subdomain, installed = true }, Problem.Json),
            IResult res => res,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        };
    }
}
