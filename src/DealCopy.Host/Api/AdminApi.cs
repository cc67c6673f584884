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
/// token (private integrations, the sandbox), inspect accounts and jobs, see and steer the cluster (leave, down),
/// sharding, this node's last log lines. Off when no token is set. <c>dealcopy</c> (src/DealCopy.Cli) is its client.
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
        admin.MapGet("/accounts/{id:long}/jobs", async (HttpContext ctx, long id) => await WidgetApi.Ask(ctx, new ListAccountJobs(id)) switch
        {
            AccountJobsView v => Results.Json(v, Problem.Json),
            IResult r => r,
            var other => Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", other.GetType().Name),
        });
        admin.MapGet("/cluster", (ActorSystem system) => Results.Json(ClusterView(Cluster.Get(system)), Problem.Json));
        admin.MapPost("/cluster/leave", WidgetApi.Handler(ctx => MemberCommand(ctx, "leave")));
        admin.MapPost("/cluster/down", WidgetApi.Handler(ctx => MemberCommand(ctx, "down")));
        admin.MapPost("/cluster/down-unreachable", (ActorSystem system, ILoggerFactory logs) =>
        {
            var cluster = Cluster.Get(system);
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
            foreach (var address in unreachable)
            {
                logs.CreateLogger("DealCopy.Admin").LogWarning("Operator downs unreachable member {Address}", address);
                cluster.Down(address);
            }
            return Results.Json(new { action = "down", addresses = unreachable.Select(a => a.ToString()) }, Problem.Json);
        });
        // which accounts are awake on this node, by shard (pbm's "cluster-sharding region-state")
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
        admin.MapGet("/cluster/sharding/regions", (ActorSystem system) =>
            Results.Json(new { regions = ClusterSharding.Get(system).ShardTypeNames.Order(StringComparer.Ordinal) }, Problem.Json));
        // entities per node of one region, over the whole cluster (pbm's "cluster-sharding region-stats")
        admin.MapGet("/cluster/sharding/regions/{name}/stats", async (ActorSystem system, AkkaTimeouts timeouts, string name) =>
        {
            var sharding = ClusterSharding.Get(system);
            if (!sharding.ShardTypeNames.Contains(name))
                return Problem.NotFound("region.not_found", $"There is no shard region '{name}'; see cluster-sharding regions.", Refusal.Parameters(("region", name)));
            var stats = await sharding.ShardRegion(name).Ask<ClusterShardingStats>(new GetClusterShardingStats(timeouts.Ask), timeouts.Ask + TimeSpan.FromSeconds(1));
            var nodes = stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).Select(r => new
            {
                address = r.Key.ToString(),
                shards = r.Value.Stats.Count,
                entities = r.Value.Stats.Values.Sum(),
                by_shard = r.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value),
                failed = r.Value.Failed.Order(StringComparer.Ordinal),
            }).ToList();
            return Results.Json(new { region = name, nodes, entities = nodes.Sum(n => n.entities) }, Problem.Json);
        });
        admin.MapGet("/log", (Logging.LogRing ring, int? n) =>
        {
            if (n is < 1) return Problem.BadRequest("request.invalid", "n must be at least 1.", new Dictionary<string, string> { ["n"] = "at least 1" });
            return Results.Json(new { capacity = ring.Capacity, lines = ring.Last(Math.Min(n ?? 50, ring.Capacity)) }, Problem.Json);
        });
    }

    private static object ClusterView(Cluster cluster)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new
        {
            self = cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            members = state.Members.Select(m => new
            {
                address = m.Address.ToString(),
                status = m.Status.ToString(),
                reachable = !unreachable.Contains(m.Address),
                roles = m.Roles,
            }),
            unreachable = unreachable.Select(a => a.ToString()),
        };
    }

    /// <summary>
    /// The member an operator names: its full address (<c>akka.tcp://dealcopy@10.0.1.5:4053</c>) or just
    /// <c>host:port</c>, among the cluster's members; null when none matches.
    /// </summary>
    public static Address? Member(string given, IEnumerable<Address> members)
    {
        given = given.Trim();
        return members.FirstOrDefault(a => string.Equals(a.ToString(), given, StringComparison.OrdinalIgnoreCase)
                                           || string.Equals($"{a.Host}:{a.Port}", given, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>pbm's <c>cluster leave</c> / <c>cluster down</c>: body <c>{"address": ...}</c>.</summary>
    private static async Task<IResult> MemberCommand(HttpContext ctx, string action)
    {
        var body = ctx.Request.ContentLength is 0 ? null : await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        var given = body?["address"] is JsonValue v && v.TryGetValue<string>(out var a) ? a : null;
        if (string.IsNullOrWhiteSpace(given))
            return Problem.BadRequest("request.invalid", $"Name the member to {action}.", new Dictionary<string, string> { ["address"] = "required: a member's address, e.g. akka.tcp://dealcopy@10.0.1.5:4053 or 10.0.1.5:4053" });
        var cluster = Cluster.Get(ctx.RequestServices.GetRequiredService<ActorSystem>());
        var member = Member(given, cluster.State.Members.Select(m => m.Address));
        if (member is null)
            return Problem.NotFound("cluster.not_a_member", $"{given} is not a member of this cluster; see cluster show.", Refusal.Parameters(("address", given)));
        ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DealCopy.Admin").LogWarning("Operator asks member {Address} to {Action}", member, action);
        if (action == "leave") cluster.Leave(member);
        else cluster.Down(member);
        return Results.Json(new { action, address = member.ToString() }, Problem.Json, statusCode: 202);
    }

    internal static bool OnAdminPort(HttpContext ctx, AdminOptions options)
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
