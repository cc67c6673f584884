using System.Text.Json.Nodes;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>One validation error of one entity, as amoCRM reports it.</summary>
public sealed record FieldError(string Code, string Path, string Detail);

/// <summary>Thrown by request handlers to answer with an amoCRM problem+json; never escapes as a 500.</summary>
public sealed class AmoProblemException(int status, JsonObject body) : Exception(body["detail"]?.ToString())
{
    public int Status { get; } = status;
    public JsonObject Body { get; } = body;
}

/// <summary>The one writer of amoCRM-shaped problem+json bodies (API-NOTES §3).</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "ErrInternalServer",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };

    public static JsonObject Body(int status, string detail, string? title = null) => new()
    {
        ["title"] = title ?? Title(status),
        ["type"] = $"https://httpstatus.es/{status}",
        ["status"] = status,
        ["detail"] = detail,
    };

    public static AmoProblemException Error(int status, string detail, string? title = null) => new(status, Body(status, detail, title));

    public static AmoProblemException BadRequest(string detail) => Error(400, detail);

    /// <summary>400 "Request validation failed" with per-entity errors keyed by request_id.</summary>
    public static AmoProblemException Validation(IEnumerable<(string RequestId, IReadOnlyList<FieldError> Errors)> entities)
    {
        var list = new JsonArray();
        foreach (var (requestId, errors) in entities)
        {
            var arr = new JsonArray();
            foreach (var e in errors)
                arr.Add(new JsonObject { ["code"] = e.Code, ["path"] = e.Path, ["detail"] = e.Detail });
            list.Add(new JsonObject { ["request_id"] = requestId, ["errors"] = arr });
        }
        var body = new JsonObject { ["validation-errors"] = list };
        foreach (var kv in Body(400, "Request validation failed")) body[kv.Key] = kv.Value?.DeepClone();
        return new AmoProblemException(400, body);
    }

    public static AmoProblemException Validation(string requestId, params FieldError[] errors) => Validation([(requestId, errors)]);

    /// <summary>amoCRM's second 400 shape: <c>{"errors":{"&lt;id&gt;":"message"}, ...}</c> (amocrm-api-php #88).</summary>
    public static AmoProblemException EntityErrors(IReadOnlyDictionary<string, string> errors)
    {
        var map = new JsonObject();
        foreach (var (k, v) in errors) map[k] = v;
        var body = new JsonObject { ["errors"] = map };
        foreach (var kv in Body(400, "Invalid request body")) body[kv.Key] = kv.Value?.DeepClone();
        return new AmoProblemException(400, body);
    }

    public static JsonObject RateLimited(int? retryAfterSeconds)
    {
        var body = Body(429, "Too many requests: the limit is exceeded, slow down");
        if (retryAfterSeconds is { } seconds) body["retry_after"] = seconds;
        return body;
    }

    public static string BlockedHtml(string subdomain) =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>403 Forbidden</title></head>" +
        $"<body><h1>Доступ запрещён</h1><p>Account {System.Net.WebUtility.HtmlEncode(subdomain)} is blocked " +
        "for exceeding the API request limit. Contact support.</p></body></html>";
}
