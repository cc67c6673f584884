using System.Text.Json;
using System.Text.Json.Nodes;

namespace DealCopy.Host.Api;

/// <summary>The one writer of problem+json answers of the DealCopy API.</summary>
public static class Problem
{
    public const string ContentType = "application/problem+json";

    public static IResult Of(int status, string title, string detail, IReadOnlyDictionary<string, string>? errors = null)
    {
        var body = new JsonObject
        {
            ["type"] = $"https://httpstatus.es/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        if (errors is { Count: > 0 })
        {
            var e = new JsonObject();
            foreach (var (k, v) in errors.OrderBy(kv => kv.Key, StringComparer.Ordinal)) e[k] = v;
            body["errors"] = e;
        }
        return Results.Text(body.ToJsonString(), ContentType, System.Text.Encoding.UTF8, status);
    }

    public static IResult BadRequest(string detail, IReadOnlyDictionary<string, string>? errors = null) =>
        Of(400, "The request is malformed", detail, errors);

    public static IResult Unauthorized(string detail) => Of(401, "Unauthorized", detail);

    public static IResult NotFound(string detail) => Of(404, "Not found", detail);

    public static IResult Unavailable(string detail) => Of(503, "Try again shortly", detail);

    /// <summary>JSON options of API answers: snake_case like amoCRM's.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
