using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Api;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Seeding;

/// <summary>Starting states: the demo account, a reset, and accounts from a control-API description.</summary>
public static class Seeder
{
    public static void Reset(SandboxRuntime rt)
    {
        rt.State.Clear();
        rt.Log.Clear();
        rt.Faults.Clear();
        rt.Rate.Clear();
        rt.Clock.Reset();
        if (rt.Options.SeedDemoAccount) DemoAccount.Create(rt.State, rt.Options);
    }

    /// <summary>Creates an account from a description (docs/SANDBOX.md "Account description"); returns it and its admin token.</summary>
    public static (SandboxAccount Account, string AdminToken) FromDescription(SandboxRuntime rt, JsonObject d)
    {
        var state = rt.State;
        long? id = null;
        if (d["id"] is { } idNode)
        {
            if (!SandboxJson.TryGetLong(idNode, out var v) || v <= 0) throw Problems.BadRequest("id must be a positive integer");
            if (state.Account(v) is not null) throw Problems.Error(409, $"Account {v} already exists");
            id = v;
        }
        foreach (var key in new[] { "users", "pipelines", "lead_fields", "contact_fields", "company_fields" })
            if (d[key] is { } node && node is not JsonArray) throw Problems.BadRequest($"{key} must be an array");
        var subdomain = Str(d, "subdomain") ?? $"sandbox-{Guid.NewGuid():N}"[..16];
        if (subdomain.Length == 0 || !subdomain.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw Problems.BadRequest("subdomain may hold only latin letters, digits and '-'");
        if (state.Accounts.Values.Any(a => a.Subdomain == subdomain)) throw Problems.Error(409, $"Subdomain {subdomain} is taken");

        if (d["demo"] is JsonValue demo && demo.TryGetValue<bool>(out var isDemo) && isDemo)
        {
            var leadCount = d["lead_count"] is { } lc ? (SandboxJson.TryGetLong(lc, out var n) && n is >= 0 and <= 5000 ? (int)n : throw Problems.BadRequest("lead_count must be 0..5000")) : (int?)null;
            var full = d["full_deals"] is JsonValue fd && fd.TryGetValue<bool>(out var isFull) && isFull;
            var account = DemoAccount.Create(state, rt.Options, id ?? state.NextId("account"), subdomain, leadCount: leadCount, fullDeals: full);
            return (account, TokenOf(state, account));
        }

        var b = AccountBuilder.Create(state, id, subdomain, Str(d, "name") ?? subdomain);
        if (d["groups"] is JsonArray groups)
            foreach (var (node, i) in groups.Select((n, i) => (n, i)))
            {
                if (node is not JsonObject g || Long(g, "id") is not { } gid || gid <= 0) throw Problems.BadRequest($"groups[{i}] must be an object with a positive id");
                b.Account.Groups.Add((gid, Str(g, "name") ?? $"Group {gid}"));
            }
        if (d["users"] is JsonArray users && users.Count > 0)
        {
            foreach (var (node, i) in users.Select((n, i) => (n, i)))
            {
                if (node is not JsonObject u) throw Problems.BadRequest($"users[{i}] must be an object");
                var user = b.User(Str(u, "name") ?? $"User {i + 1}", Bool(u, "is_admin") ?? i == 0, Bool(u, "is_active") ?? true, Bool(u, "is_free") ?? false, Long(u, "id"), Long(u, "group_id") ?? 0);
                if (user.GroupId != 0 && b.Account.Groups.All(g => g.Id != user.GroupId)) throw Problems.BadRequest($"users[{i}]: group {user.GroupId} is not in groups");
                if (u["rights"] is { } rights) user.Rights = RightsOf(rights, $"users[{i}].rights", user.Rights);
            }
            if (b.Account.Users.All(u => !u.IsAdmin)) throw Problems.BadRequest("at least one user must be an admin");
        }
        else
        {
            b.User("Admin", admin: true);
        }
        if (d["pipelines"] is JsonArray pipelines && pipelines.Count > 0)
        {
            foreach (var (node, i) in pipelines.Select((n, i) => (n, i)))
            {
                if (node is not JsonObject p) throw Problems.BadRequest($"pipelines[{i}] must be an object");
                var stages = p["statuses"] is JsonArray s ? s.Select(x => SandboxJson.TryGetString(x, out var name) ? name : throw Problems.BadRequest($"pipelines[{i}].statuses must be strings")).ToList() : ["Первичный контакт", "Переговоры"];
                if (stages.Count == 0) throw Problems.BadRequest($"pipelines[{i}] needs at least one regular stage");
                b.Pipeline(Str(p, "name") ?? $"Воронка {i + 1}", stages, Bool(p, "is_main") ?? i == 0, Bool(p, "is_archive") ?? false, Long(p, "id"));
            }
            if (b.Account.Pipelines.Count(p => p.IsMain) != 1) throw Problems.BadRequest("exactly one pipeline must be the main one");
        }
        else
        {
            b.Pipeline("Воронка", ["Первичный контакт", "Переговоры", "Принимают решение"], main: true);
        }
        foreach (var (entity, key) in new[] { ("leads", "lead_fields"), ("contacts", "contact_fields"), ("companies", "company_fields") })
        {
            if (d[key] is not JsonArray fields) continue;
            foreach (var (node, i) in fields.Select((n, i) => (n, i)))
            {
                if (node is not JsonObject f) throw Problems.BadRequest($"{entity} field {i} must be an object");
                var type = Str(f, "type") ?? "text";
                if (!FieldsAndTagsEndpoints.TypesByEntity[entity].Contains(type)) throw Problems.BadRequest($"{entity} field {i}: type {type} is not allowed on {entity}");
                var enums = f["enums"] is JsonArray e ? e.Select(x => SandboxJson.TryGetString(x, out var v) ? v : throw Problems.BadRequest("enums must be strings")).ToList() : null;
                var field = b.Field(entity, Str(f, "name") ?? $"Поле {i + 1}", type, Str(f, "code"), enums, Bool(f, "is_computed") ?? false, Bool(f, "is_api_only") ?? false, Long(f, "id"));
                if (type == "smart_address" && field.Enums.Count == 0)
                    foreach (var (code, k) in FieldValues.SmartAddressCodes.Select((c, k) => (c, k)))
                        field.Enums.Add(new SandboxEnum { Id = state.NextId("enum"), Value = code, Code = code, Sort = (k + 1) * 10 });
            }
        }
        var created = b.Register();
        return (created, TokenOf(state, created));
    }

    private static readonly string[] Letters = ["A", "G", "M", "D"];

    /// <summary>
    /// A user's rights from amoCRM's shape (<c>{leads:{view,edit,add,delete,export}, contacts, companies,
    /// status_rights:[{pipeline_id,status_id,rights:{view,edit,delete}}]}</c>); entities left out keep <paramref name="current"/>'s.
    /// </summary>
    public static SandboxRights RightsOf(JsonNode node, string where, SandboxRights current)
    {
        if (node is not JsonObject o) throw Problems.BadRequest($"{where} must be an object");
        string Letter(JsonObject e, string key, string fallback, string at, bool allOrDenied = false)
        {
            var v = Str(e, key) ?? fallback;
            if (!Letters.Contains(v) || (allOrDenied && v is not ("A" or "D")))
                throw Problems.BadRequest($"{at}.{key} must be {(allOrDenied ? "A or D" : "one of A, G, M, D")}");
            return v;
        }
        SandboxCrud Crud(string key, SandboxCrud was)
        {
            if (o[key] is null) return was;
            if (o[key] is not JsonObject e) throw Problems.BadRequest($"{where}.{key} must be an object");
            var at = $"{where}.{key}";
            return new SandboxCrud(Letter(e, "view", was.View, at), Letter(e, "edit", was.Edit, at), Letter(e, "add", was.Add, at, allOrDenied: true),
                Letter(e, "delete", was.Delete, at), Letter(e, "export", was.Export, at));
        }
        var stages = current.StatusRights;
        if (o["status_rights"] is JsonArray list)
        {
            stages = [];
            foreach (var (item, i) in list.Select((n, i) => (n, i)))
            {
                var at = $"{where}.status_rights[{i}]";
                if (item is not JsonObject r || Long(r, "pipeline_id") is not { } pid || Long(r, "status_id") is not { } sid || r["rights"] is not JsonObject letters)
                    throw Problems.BadRequest($"{at} needs pipeline_id, status_id and rights");
                // amoCRM: status rights take only A or D (API-NOTES §9)
                stages.Add(new SandboxStatusRight(pid, sid, Letter(letters, "view", "A", at, true), Letter(letters, "edit", "A", at, true), Letter(letters, "delete", "D", at, true)));
            }
        }
        else if (o.ContainsKey("status_rights") && o["status_rights"] is null) stages = [];
        return new SandboxRights { Leads = Crud("leads", current.Leads), Contacts = Crud("contacts", current.Contacts), Companies = Crud("companies", current.Companies), StatusRights = stages };
    }

    private static string TokenOf(SandboxState state, SandboxAccount a)
    {
        lock (state.AuthGate)
            return state.AccessTokens.Values.First(t => t.AccountId == a.Id && t.IsLongLived).Token;
    }

    private static string? Str(JsonObject o, string key) =>
        o[key] is null ? null : SandboxJson.TryGetString(o[key], out var s) ? s : throw Problems.BadRequest($"{key} must be a string");

    private static bool? Bool(JsonObject o, string key) =>
        o[key] is null ? null : o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw Problems.BadRequest($"{key} must be true or false");

    private static long? Long(JsonObject o, string key) =>
        o[key] is null ? null : SandboxJson.TryGetLong(o[key], out var l) ? l : throw Problems.BadRequest($"{key} must be an integer");
}
