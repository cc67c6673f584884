using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.Actors.Protocol;

namespace DealCopy.Host.Api;

/// <summary>
/// The one writer of problem+json answers of the DealCopy API. Every answer carries a stable <c>code</c> with
/// <c>params</c>, and one <c>refusals</c> entry (field, code, params, English message) per field problem; the
/// legacy <c>errors</c> map (field → English) is the same list (docs/API.md "Codes").
/// </summary>
public static class Problem
{
    public const string ContentType = "application/problem+json";

    public static IResult Of(int status, string code, string title, string detail, IReadOnlyList<Refusal>? refusals = null, IReadOnlyDictionary<string, string>? parameters = null) =>
        Results.Text(Body(status, code, title, detail, refusals, parameters).ToJsonString(), ContentType, System.Text.Encoding.UTF8, status);

    /// <summary>The problem document itself (for writers that are not minimal-API results).</summary>
    public static JsonObject Body(int status, string code, string title, string detail, IReadOnlyList<Refusal>? refusals = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var body = new JsonObject
        {
            ["type"] = $"https://httpstatus.es/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
            ["params"] = Params(parameters),
        };
        if (refusals is { Count: > 0 })
        {
            var e = new JsonObject();
            foreach (var (k, v) in Refusal.ErrorsOf(refusals).OrderBy(kv => kv.Key, StringComparer.Ordinal)) e[k] = v;
            body["errors"] = e;
            body["refusals"] = new JsonArray(refusals.Select(r => (JsonNode)new JsonObject
            {
                ["field"] = r.Field,
                ["code"] = r.Code,
                ["params"] = Params(r.Params),
                ["message"] = r.Message,
            }).ToArray());
        }
        return body;
    }

    private static JsonObject Params(IReadOnlyDictionary<string, string>? parameters)
    {
        var o = new JsonObject();
        if (parameters is null) return o;
        foreach (var (k, v) in parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[k] = v;
        return o;
    }

    /// <summary>A body whose fields are wrong: each field's problem under <paramref name="fieldCode"/> (default <c>request.invalid_field</c>).</summary>
    public static IResult BadRequest(string code, string detail, IReadOnlyDictionary<string, string>? errors = null, string fieldCode = "request.invalid_field") =>
        Of(400, code, "The request is malformed", detail, errors is null ? null : Refusal.FromErrors(fieldCode, errors));

    public static IResult Unauthorized(string code, string detail) => Of(401, code, "Unauthorized", detail);

    public static IResult NotFound(string code, string detail, IReadOnlyDictionary<string, string>? parameters = null) => Of(404, code, "Not found", detail, parameters: parameters);

    public static IResult Unavailable(string code, string detail) => Of(503, code, "Try again shortly", detail);

    /// <summary>JSON options of API answers: snake_case like amoCRM's.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
