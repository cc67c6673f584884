using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using DealCopy.Actors.Protocol;
using DealCopy.Host.Auth;
using DealCopy.Host.Configuration;
using DealCopy.Host.Hosting;

namespace DealCopy.Host.Api;

/// <summary>The widget's API (<c>/api/v1</c>, docs/API.md), authenticated by amoCRM's disposable widget token.</summary>
public static class WidgetApi
{
    private const string CallerKey = "dealcopy.caller";
    private const string RefererKey = "dealcopy.referer";
    public const string CorsPolicy = "amocrm-widget";

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter(Authenticate).RequireCors(CorsPolicy);
        api.MapGet("/meta", Handler(Meta)).WithSummary("Pipelines, stages, users and deal fields for the copy form");
        api.MapPost("/copies", Handler(Start)).WithSummary("Start a copy job; 202 with the job URL");
        api.MapPost("/copies/preview", Handler(Preview)).WithSummary("A dry run of a copy: the body of POST /copies, the same refusals, nothing written to amoCRM");
        api.MapGet("/copies", Handler(List)).WithSummary("The copy jobs the caller may see (own; an admin sees everyone's), newest first, paged");
        api.MapGet("/copies/{id}", Get).WithSummary("A copy job's status, per-deal progress, created deals, skipped fields, errors");
        api.MapPost("/copies/{id}/undo", Undo).WithSummary("Roll a finished copy job back");
        SettingsApi.Map(api);
        api.MapGet("/dp/key", Handler(DpKey)).WithSummary("The account's key for Digital Pipeline rules (the widget's DP settings store it); amoCRM admins only");
    }

    /// <summary>Types an HttpContext-only async handler as a route handler so that its result is written (ASP0016).</summary>
    internal static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    internal static WidgetCaller Caller(HttpContext ctx) => (WidgetCaller)ctx.Items[CallerKey]!;

    private static string Referer(HttpContext ctx) => (string)ctx.Items[RefererKey]!;

    private static async ValueTask<object?> Authenticate(EndpointFilterInvocationContext inv, EndpointFilterDelegate next)
    {
        var ctx = inv.HttpContext;
        var validator = ctx.RequestServices.GetRequiredService<WidgetTokenValidator>();
        var (caller, problem) = await validator.ValidateAsync(ctx.Request.Headers["X-Auth-Token"].ToString());
        var log = ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DealCopy.Auth");
        if (caller is null)
        {
            log.LogInformation("Widget call to {Path} refused: {Problem}", ctx.Request.Path, problem);
            return Problem.Unauthorized("auth.token_invalid", problem!);
        }
        var answer = await Ask(ctx, new AuthorizeWidgetCall(caller.AccountId, caller.Jti, caller.ExpiresAt.ToUnixTimeSeconds(), caller.IssuedAt.ToUnixTimeSeconds()) { UserId = caller.UserId });
        switch (answer)
        {
            case WidgetCallAuthorized ok:
                ctx.Items[CallerKey] = caller;
                ctx.Items[RefererKey] = ok.Referer;
                return await next(inv);
            case WidgetCallRefused refused:
                log.LogWarning("Widget call for account {AccountId} refused: {Reason}", caller.AccountId, refused.Reason);
                return Problem.Unauthorized(refused.Code, refused.Reason);
            case AccessRefused r:
                log.LogInformation("Widget call of user {UserId} in account {AccountId} refused: {Code}", caller.UserId, caller.AccountId, r.Code);
                return Refused(r);
            case AmoUnavailable u:
                return Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail);
            case AccountNotInstalled:
                return Problem.Of(401, "account.not_installed", "Unauthorized", $"DealCopy is not installed in account {caller.AccountId}", parameters: Refusal.Parameters(("account_id", caller.AccountId)));
            default:
                return (IResult)answer;
        }
    }

    /// <summary>Asks the account's entity with the configured timeout; a timeout is a 503 the caller may retry.</summary>
    internal static async Task<object> Ask(HttpContext ctx, IWithAccountId message)
    {
        var region = ctx.RequestServices.GetRequiredService<IRequiredActor<AccountRegion>>();
        var timeout = ctx.RequestServices.GetRequiredService<AkkaTimeouts>().Ask;
        try
        {
            return await region.ActorRef.Ask<object>(message, timeout, ctx.RequestAborted);
        }
        catch (AskTimeoutException)
        {
            return Problem.Unavailable("account.busy", "The account did not answer in time; nothing was lost — repeat the request (with the same idempotency_key for copies).");
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return Results.StatusCode(499); // the caller went away; whatever the account does still happens once
        }
    }

    /// <summary>A refusal by the caller's rights, "who may copy" or the settings' rules (docs/API.md "Rights").</summary>
    internal static IResult Refused(AccessRefused r) => Problem.Of(r.Status, r.Code, r.Title, r.Detail, r.Refusals);

    private static async Task<IResult> Meta(HttpContext ctx)
    {
        var caller = Caller(ctx);
        var answer = await Ask(ctx, new GetAccountMeta(caller.AccountId) { ForUserId = caller.UserId });
        return answer switch
        {
            AccountMetaView meta => Results.Json(new
            {
                account = new { id = meta.AccountId, subdomain = meta.Subdomain },
                pipelines = meta.Pipelines,
                users = meta.Users,
                lead_fields = meta.LeadFields,
                loss_reasons = meta.LossReasons,
            }, Problem.Json),
            AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
            AccessRefused r => Refused(r),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    /// <summary>The DP key, only for the account's amoCRM admins: repeat deals made with it run with the account's rights.</summary>
    private static async Task<IResult> DpKey(HttpContext ctx)
    {
        var caller = Caller(ctx);
        var answer = await Ask(ctx, new AdmitDpKey(caller.AccountId, caller.UserId));
        return answer switch
        {
            DpKeyAdmitted => Results.Json(new { key = ctx.RequestServices.GetRequiredService<Hooks.HookKeys>().DpKeyFor(caller.AccountId) }, Problem.Json),
            AccessRefused r => Refused(r),
            AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    private static async Task<IResult> Start(HttpContext ctx)
    {
        var (body, bad) = await JsonBody.ReadAsync(ctx);
        if (bad is not null) return bad;
        var caller = Caller(ctx);
        var parsed = CopyRequest.Parse(body, caller.UserId);
        if (parsed.Spec is null) return Problem.Of(400, "request.invalid", "The request is malformed", "Some fields are missing or wrong; nothing was started.", parsed.Refusals);
        var answer = await Ask(ctx, new StartCopy(caller.AccountId, parsed.Spec));
        switch (answer)
        {
            case CopyAccepted accepted:
                var url = $"/api/v1/copies/{accepted.JobId}";
                var result = new { id = accepted.JobId, status = accepted.IsNew ? "accepted" : "exists", url };
                return accepted.IsNew ? Results.Accepted(url, result) : Results.Ok(result);
            case CopyRejected r:
                return Problem.Of(r.Status, r.Code, r.Title, r.Detail, r.Refusals);
            case IResult r:
                return r;
            default:
                return Unexpected(answer);
        }
    }

    /// <summary>The dry run: parsed and admitted exactly as <see cref="Start"/>, answered with what the copy would do (docs/API.md).</summary>
    private static async Task<IResult> Preview(HttpContext ctx)
    {
        var (body, bad) = await JsonBody.ReadAsync(ctx);
        if (bad is not null) return bad;
        var caller = Caller(ctx);
        var parsed = CopyRequest.Parse(body, caller.UserId);
        if (parsed.Spec is null) return Problem.Of(400, "request.invalid", "The request is malformed", "Some fields are missing or wrong; nothing was started.", parsed.Refusals);
        var answer = await Ask(ctx, new PreviewCopy(caller.AccountId, parsed.Spec));
        return answer switch
        {
            CopyPreviewView preview => Results.Json(PreviewView(preview), Problem.Json),
            CopyRejected r => Problem.Of(r.Status, r.Code, r.Title, r.Detail, r.Refusals),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    /// <summary>The preview as docs/API.md shows it: the summary first, then every source deal.</summary>
    internal static object PreviewView(CopyPreviewView p) => new
    {
        deals = p.Deals,
        copies = p.Copies,
        targets = p.Targets,
        responsibles = p.Responsibles,
        skipped_fields = p.SkippedFields,
        skipped_by_code = p.SkippedByCode,
        requests = new
        {
            total = p.Requests.Total,
            reads = p.Requests.Reads,
            writes = p.Requests.Writes,
            steps = p.Requests.Steps,
            requests_per_second = p.Requests.RequestsPerSecond,
            seconds = p.Requests.Seconds,
        },
        items = p.Items,
    };

    /// <summary>Largest page of GET /api/v1/copies.</summary>
    public const int MaxHistoryPage = 100;

    private static async Task<IResult> List(HttpContext ctx)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        int Number(string name, int fallback, int min, int max)
        {
            var raw = ctx.Request.Query[name].ToString();
            if (raw.Length == 0) return fallback;
            if (int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
            errors[name] = $"{name} must be a whole number from {min} to {max}";
            return fallback;
        }
        var offset = Number("offset", 0, 0, int.MaxValue);
        var limit = Number("limit", 20, 1, MaxHistoryPage);
        if (errors.Count > 0) return Problem.BadRequest("request.invalid", "Some query parameters are wrong.", errors);
        var caller = Caller(ctx);
        var days = ctx.RequestServices.GetRequiredService<JobsOptions>().HistoryDays;
        var since = ctx.RequestServices.GetRequiredService<Hooks.JobClock>().Time.GetUtcNow().AddDays(-days).ToUnixTimeSeconds();
        var answer = await Ask(ctx, new ListJobs(caller.AccountId, caller.UserId, offset, limit, since));
        return answer switch
        {
            JobPage page => Results.Json(new
            {
                total = page.Total,
                offset = page.Offset,
                limit = page.Limit,
                history_days = days,
                items = page.Items.Select(j => new
                {
                    id = j.Id,
                    status = j.Status,
                    kind = j.Kind,
                    started_by = j.StartedBy,
                    created_at = j.CreatedAt,
                    finished_at = j.FinishedAt,
                    deals = j.Deals,
                    total = j.Total,
                    done = j.Done,
                    created = j.Created,
                    failed = j.Failed,
                    can_undo = j.CanUndo,
                    url = $"/api/v1/copies/{j.Id}",
                }),
            }, Problem.Json),
            AccessRefused r => Refused(r),
            AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
            AccountNotInstalled => Problem.Of(401, "account.not_installed", "Unauthorized", $"DealCopy is not installed in account {caller.AccountId}", parameters: Refusal.Parameters(("account_id", caller.AccountId))),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    private static async Task<IResult> Get(HttpContext ctx, string id)
    {
        var caller = Caller(ctx);
        var answer = await Ask(ctx, new GetJob(caller.AccountId, id) { ForUserId = caller.UserId });
        return answer switch
        {
            JobView job => Results.Json(View(job, Referer(ctx)), Problem.Json),
            AccessRefused r => Refused(r),
            AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
            JobNotFound => Problem.NotFound("job.not_found", $"There is no copy job {id} in this account.", Refusal.Parameters(("job_id", id))),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    private static async Task<IResult> Undo(HttpContext ctx, string id)
    {
        var caller = Caller(ctx);
        var answer = await Ask(ctx, new UndoJob(caller.AccountId, id, caller.UserId));
        return answer switch
        {
            UndoAccepted => Results.Accepted($"/api/v1/copies/{id}", new { id, status = "undoing", url = $"/api/v1/copies/{id}" }),
            UndoRefused r => Problem.Of(r.Status, r.Code, "The job cannot be undone now", r.Detail),
            AccessRefused r => Refused(r),
            AmoUnavailable u => Problem.Of(502, "amo.unavailable", "amoCRM is unavailable", u.Detail),
            JobNotFound => Problem.NotFound("job.not_found", $"There is no copy job {id} in this account.", Refusal.Parameters(("job_id", id))),
            IResult r => r,
            _ => Unexpected(answer),
        };
    }

    /// <summary>The job as docs/API.md shows it, with links into amoCRM.</summary>
    internal static object View(JobView job, string referer) => new
    {
        id = job.Id,
        status = job.Status,
        reason = job.Reason,
        reason_code = job.ReasonCode,
        reason_params = job.ReasonParams,
        run_at = job.RunAt,
        created_at = job.CreatedAt,
        finished_at = job.FinishedAt,
        retries = job.Retries,
        last_error = job.LastError is null ? null : new { code = job.LastError.Code, @params = job.LastError.Params, message = job.LastError.Message },
        total = job.Total,
        done = job.Done,
        deals = job.Deals.Select(d => new
        {
            source_id = d.SourceId,
            status = d.Status,
            copies = d.Copies.Select(c => new { n = c.N, lead_id = c.LeadId, url = $"https://{referer}/leads/detail/{c.LeadId}" }),
            skipped_fields = d.SkippedFields,
            errors = d.Errors,
            problems = d.Problems.Select(p => new { copy = p.Copy, code = p.Code, @params = p.Params, message = p.Message }),
        }),
        undo = job.Undo is null ? null : new
        {
            status = job.Undo.Status,
            by_user_id = job.Undo.ByUserId,
            closed = job.Undo.Closed,
            not_undone = job.Undo.NotUndone.Select(n => new { lead_id = n.LeadId, reason = n.Reason, code = n.Code, @params = n.Params }),
        },
    };

    private static IResult Unexpected(object answer) =>
        Problem.Of(500, "internal.unexpected_answer", "Unexpected answer", $"The account answered {answer.GetType().Name}; the request may be repeated.");
}
