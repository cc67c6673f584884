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
        admin.MapGet("/accounts/{id:long}", async (HttpContext ctx, long id) => await WidgetApi.Ask(ctx, new GetAccountStatus(id)) switch
        {
            AccountStatusView v => Results.Json(v, Problem.Json),
            IResult r => r,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        });
        admin.MapGet("/accounts/{id:long}/jobs/{jobId}", async (HttpContext ctx, long id, string jobId) => await WidgetApi.Ask(ctx, new GetJob(id, jobId)) switch
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
        var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        var errors = new Dictionary<string, string>();
        long accountId = 0;
        if (body?["account_id"] is not JsonValue idv || !idv.TryGetValue(out accountId) || accountId <= 0) errors["account_id"] = "required: the amoCRM account id";
        var referer = body?["referer"] is JsonValue rv && rv.TryGetValue<string>(out var r) ? r : null;
        if (string.IsNullOrWhiteSpace(referer) || referer.Contains('/') || !referer.Contains('.')) errors["referer"] = "required: the account host, e.g. example.amocrm.ru";
        var access = body?["access_token"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        if (string.IsNullOrWhiteSpace(access)) errors["access_token"] = "required";
        var refresh = body?["refresh_token"] is JsonValue fv && fv.TryGetValue<string>(out var f) ? f : null;
        long? expiresAt = body?["expires_at"] is JsonValue ev && ev.TryGetValue<long>(out var e) ? e : null;
        if (errors.Count > 0) return Problem.BadRequest("request.invalid", "The account cannot be installed as given.", errors);
        var answer = await WidgetApi.Ask(ctx, new InstallAccount(accountId, referer!, access!, refresh, expiresAt));
        return answer switch
        {
            AccountInstalledReply ok => Results.Json(new { account_id = ok.AccountId, subdomain = ok.Subdomain, installed = true }, Problem.Json),
            IResult res => res,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        };
    }
}
