using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>Account, users, pipelines with statuses, loss reasons (API-NOTES §8, §9, §14).</summary>
public static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/account", Account);
        app.MapGet("/api/v4/users", Users);
        app.MapGet("/api/v4/users/{id:long}", User);
        app.MapGet("/api/v4/leads/pipelines", Pipelines);
        app.MapGet("/api/v4/leads/pipelines/{id:long}", Pipeline);
        app.MapGet("/api/v4/leads/pipelines/{id:long}/statuses", Statuses);
        app.MapGet("/api/v4/leads/pipelines/{id:long}/statuses/{statusId:long}", Status);
        app.MapGet("/api/v4/leads/loss_reasons", LossReasons);
    }

    private static IResult Account(HttpContext ctx)
    {
        var a = ctx.Account();
        var with = ctx.With();
        lock (a.Gate)
        {
            var o = new JsonObject
            {
                ["id"] = a.Id,
                ["name"] = a.Name,
                ["subdomain"] = a.Subdomain,
                ["created_at"] = a.CreatedAt,
                ["created_by"] = a.Users[0].Id,
                ["updated_at"] = a.CreatedAt,
                ["updated_by"] = a.Users[0].Id,
                ["current_user_id"] = ctx.Grant().UserId,
                ["country"] = a.Country,
                ["currency"] = a.Currency,
                ["currency_symbol"] = a.Currency == "RUB" ? "₽" : "$",
                ["customers_mode"] = "disabled",
                ["is_unsorted_on"] = true,
                ["is_loss_reason_enabled"] = true,
                ["is_helpbot_enabled"] = false,
                ["is_technical_account"] = false,
                ["contact_name_display_order"] = 1,
                ["_links"] = SandboxJson.Links($"{ctx.BaseUrl()}/api/v4/account"),
            };
            if (with.Contains("amojo_id")) o["amojo_id"] = a.Uuid.ToString();
            if (with.Contains("uuid")) o["uuid"] = a.Uuid.ToString();
            if (with.Contains("version")) o["version"] = 17;
            var embedded = new JsonObject();
            if (with.Contains("users_groups"))
                embedded["users_groups"] = new JsonArray(a.Groups.Select(JsonNode (g) => new JsonObject { ["id"] = g.Id, ["name"] = g.Name, ["uuid"] = null }).ToArray());
            if (with.Contains("task_types"))
                embedded["task_types"] = new JsonArray(a.TaskTypes.Select(JsonNode (t) => new JsonObject { ["id"] = t.Id, ["name"] = t.Name, ["color"] = null, ["icon_id"] = null, ["code"] = t.Id == 1 ? "FOLLOW_UP" : "MEETING" }).ToArray());
            if (with.Contains("datetime_settings"))
                embedded["datetime_settings"] = new JsonObject
                {
                    ["date_pattern"] = "d.m.Y H:i", ["short_date_pattern"] = "d.m.Y", ["short_time_pattern"] = "H:i",
                    ["date_format"] = "d.m.Y", ["time_format"] = "H:i:s", ["timezone"] = a.Timezone, ["timezone_offset"] = "+03:00",
                };
            if (embedded.Count > 0) o["_embedded"] = embedded;
            return Hal.Ok(o);
        }
    }

    private static void RequireAdmin(HttpContext ctx)
    {
        var a = ctx.Account();
        if (ctx.ActingUser() is not { IsAdmin: true })
            throw Problems.Error(403, "Access denied: only account administrators may read users");
    }

    private static IResult Users(HttpContext ctx)
    {
        RequireAdmin(ctx);
        var a = ctx.Account();
        var paging = Paging.From(ctx, ctx.Runtime().Options.MaxLimit);
        var with = ctx.With();
        lock (a.Gate)
        {
            var (items, hasNext) = paging.Slice(a.Users);
            if (items.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            // The users list carries its totals (amoCRM's documented answer, users-api-01).
            var page = Views.Page(ctx, "users", items.Select(JsonNode (u) => Views.User(u, with, baseUrl)), paging.Page, hasNext);
            page["_total_items"] = a.Users.Count;
            page["_page_count"] = (a.Users.Count + paging.Limit - 1) / paging.Limit;
            return Hal.Ok(page);
        }
    }

    private static IResult User(HttpContext ctx, long id)
    {
        RequireAdmin(ctx);
        var a = ctx.Account();
        lock (a.Gate)
        {
            var u = a.User(id);
            return u is null ? Hal.NoContent() : Hal.Ok(Views.User(u, ctx.With(), ctx.BaseUrl()));
        }
    }

    private static IResult Pipelines(HttpContext ctx)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(new JsonObject
            {
                ["_total_items"] = a.Pipelines.Count,
                ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/pipelines"),
                ["_embedded"] = new JsonObject { ["pipelines"] = new JsonArray(a.Pipelines.OrderBy(p => p.Sort).Select(JsonNode (p) => Views.Pipeline(a, p, baseUrl, ctx.With().Contains("descriptions"))).ToArray()) },
            });
        }
    }

    private static IResult Pipeline(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var p = a.Pipeline(id) ?? throw Problems.Error(404, "Pipeline not found");
            return Hal.Ok(Views.Pipeline(a, p, ctx.BaseUrl(), ctx.With().Contains("descriptions")));
        }
    }

    private static IResult Statuses(HttpContext ctx, long id)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var p = a.Pipeline(id) ?? throw Problems.Error(404, "Pipeline not found");
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(new JsonObject
            {
                ["_total_items"] = p.Statuses.Count,
                ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/pipelines/{id}/statuses"),
                ["_embedded"] = new JsonObject { ["statuses"] = new JsonArray(p.Statuses.OrderBy(s => s.Sort).Select(JsonNode (s) => Views.Status(a, s, baseUrl, ctx.With().Contains("descriptions"))).ToArray()) },
            });
        }
    }

    private static IResult Status(HttpContext ctx, long id, long statusId)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            var p = a.Pipeline(id) ?? throw Problems.Error(404, "Pipeline not found");
            var s = p.Status(statusId);
            return s is null ? Hal.NoContent() : Hal.Ok(Views.Status(a, s, ctx.BaseUrl(), ctx.With().Contains("descriptions")));
        }
    }

    private static IResult LossReasons(HttpContext ctx)
    {
        var a = ctx.Account();
        lock (a.Gate)
        {
            if (a.LossReasons.Count == 0) return Hal.NoContent();
            var baseUrl = ctx.BaseUrl();
            return Hal.Ok(new JsonObject
            {
                ["_links"] = SandboxJson.Links($"{baseUrl}/api/v4/leads/loss_reasons"),
                ["_embedded"] = new JsonObject { ["loss_reasons"] = new JsonArray(a.LossReasons.Select(JsonNode (r) => Views.LossReason(r, baseUrl)).ToArray()) },
            });
        }
    }
}
