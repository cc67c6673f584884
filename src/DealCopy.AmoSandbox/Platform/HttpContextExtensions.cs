using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using Microsoft.Extensions.Primitives;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>Request-side helpers: the caller's account and user, amoCRM's bracket query syntax, JSON bodies.</summary>
public static class HttpContextExtensions
{
    internal const string GrantKey = "sandbox.grant";
    internal const string AccountKey = "sandbox.account";

    public static SandboxAccount Account(this HttpContext ctx) =>
        ctx.Items[AccountKey] as SandboxAccount ?? throw Problems.Error(401, "Unauthorized");

    public static AccessGrant Grant(this HttpContext ctx) =>
        ctx.Items[GrantKey] as AccessGrant ?? throw Problems.Error(401, "Unauthorized");

    /// <summary>
    /// The user the request acts for: the token's user, or, for an admin's token, the user named in
    /// <c>X-Context-User-ID</c> (amoCRM's way for an integration to act as one of the account's users).
    /// A non-admin token cannot act for someone else (403); an unknown user is a 403 as well.
    /// </summary>
    public static SandboxUser ActingUser(this HttpContext ctx)
    {
        var a = ctx.Account();
        var own = a.User(ctx.Grant().UserId) ?? throw Problems.Error(403, "Access denied: the token's user is not in the account");
        var header = ctx.Request.Headers["X-Context-User-ID"].ToString();
        if (header.Length == 0 || header == own.Id.ToString(CultureInfo.InvariantCulture)) return own;
        if (!own.IsAdmin) throw Problems.Error(403, "Access denied: only an administrator's token may act for another user (X-Context-User-ID)");
        if (!long.TryParse(header, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || a.User(id) is not { } other)
            throw Problems.Error(403, $"Access denied: X-Context-User-ID {header} is not a user of the account");
        return other;
    }

    public static SandboxRuntime Runtime(this HttpContext ctx) => ctx.RequestServices.GetRequiredService<SandboxRuntime>();

    public static string BaseUrl(this HttpContext ctx) => $"{ctx.Request.Scheme}://{ctx.Request.Host}";

    /// <summary>Values of <c>name</c>, <c>name[]</c> and <c>name[N]</c>, also comma-separated.</summary>
    public static List<string> QueryValues(this HttpContext ctx, string name)
    {
        var result = new List<string>();
        foreach (var (key, values) in ctx.Request.Query)
        {
            if (key == name || key == name + "[]" ||
                (key.StartsWith(name + "[", StringComparison.Ordinal) && key.EndsWith(']') &&
                 int.TryParse(key.AsSpan(name.Length + 1, key.Length - name.Length - 2), out _)))
            {
                foreach (var v in values)
                    if (v is not null)
                        result.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }
        return result;
    }

    /// <summary>Numeric filter values; a non-numeric one is amoCRM's 400.</summary>
    public static List<long> QueryLongs(this HttpContext ctx, string name)
    {
        var list = new List<long>();
        foreach (var v in ctx.QueryValues(name))
        {
            if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                throw Problems.Validation("0", new FieldError("InvalidType", name, "This value should be of type int."));
            list.Add(n);
        }
        return list;
    }

    public static long? QueryLong(this HttpContext ctx, string name)
    {
        var v = ctx.Request.Query[name];
        if (StringValues.IsNullOrEmpty(v)) return null;
        if (!long.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            throw Problems.Validation("0", new FieldError("InvalidType", name, "This value should be of type int."));
        return n;
    }

    public static HashSet<string> With(this HttpContext ctx) =>
        ctx.QueryValues("with").ToHashSet(StringComparer.Ordinal);

    /// <summary>Reads the JSON body; empty → amoCRM's "Request data can not be empty", malformed → 400.</summary>
    public static async Task<JsonNode> JsonBody(this HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        if (string.IsNullOrWhiteSpace(text)) throw Problems.BadRequest("Request data can not be empty");
        try
        {
            return JsonNode.Parse(text) ?? throw Problems.BadRequest("Request data can not be empty");
        }
        catch (JsonException)
        {
            throw Problems.BadRequest("Invalid JSON in request body");
        }
    }

    /// <summary>A JSON array body (every batch endpoint), at most <paramref name="max"/> elements (422 otherwise).</summary>
    public static async Task<List<JsonObject>> JsonArrayBody(this HttpContext ctx, int max)
    {
        var body = await ctx.JsonBody();
        if (body is not JsonArray arr)
            throw Problems.Validation("0", new FieldError("InvalidType", "", "This value should be of type array."));
        if (arr.Count == 0) throw Problems.BadRequest("Request data can not be empty");
        if (arr.Count > max) throw Problems.Error(422, $"Limit {max} per page");
        var list = new List<JsonObject>();
        for (var i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject o)
                throw Problems.Validation(i.ToString(CultureInfo.InvariantCulture), new FieldError("InvalidType", "", "This value should be of type object."));
            list.Add(o);
        }
        return list;
    }
}

/// <summary>Successful amoCRM answers: HAL JSON, or 204 with an empty body.</summary>
public static class Hal
{
    public const string ContentType = "application/hal+json";

    public static IResult Ok(JsonNode node, int status = 200) =>
        Results.Text(SandboxJson.Serialize(node), ContentType, System.Text.Encoding.UTF8, status);

    public static IResult NoContent() => Results.StatusCode(204);
}

/// <summary>Route handler helpers.</summary>
public static class Handlers
{
    /// <summary>Types an async HttpContext-only handler as a route handler, so that its IResult is written (ASP0016).</summary>
    public static Delegate Async(Func<HttpContext, Task<IResult>> handler) => handler;
}
