using System.Globalization;
using System.Net;
using DealCopy.AmoClient.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Errors;

/// <summary>Turns an amoCRM error answer into the exception that says what the caller must do (API-NOTES §3).</summary>
internal static class AmoErrorMapper
{
    internal static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Whether a body looks like an HTML page rather than JSON.</summary>
    public static bool LooksLikeHtml(string? contentType, string body) =>
        (contentType?.Contains("html", StringComparison.OrdinalIgnoreCase) ?? false) ||
        body.TrimStart().StartsWith('<');

    /// <summary>Parses a JSON body, or null when it is empty or not JSON.</summary>
    public static JToken? TryParse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            return AmoJson.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static AmoApiException Map(string method, string path, HttpStatusCode status, string? contentType, string body, TimeSpan? retryAfterHeader)
    {
        var json = TryParse(body) as JObject;
        var info = new AmoResponseInfo(
            method, path, status, contentType,
            Title: (string?)json?["title"],
            Detail: (string?)json?["detail"] ?? (string?)json?["hint"],
            BodyExcerpt: AmoResponseInfo.Excerpt(body));
        var isHtml = LooksLikeHtml(contentType, body);
        var describe = info.Describe();

        switch ((int)status)
        {
            case 400 or 422 when json is not null:
                var errors = ReadValidationErrors(json);
                return new AmoValidationException(
                    $"amoCRM refused the data: {describe}" + (errors.Count > 0 ? $" ({string.Join("; ", errors.Take(5).Select(e => $"{e.RequestId ?? "?"}: {e.Path} {e.Detail}"))})" : ""),
                    info, errors);
            case 401:
                return new AmoReauthorizationRequiredException($"amoCRM refused the access token: {describe}. The account must authorize the integration again.", info);
            case 402:
                return new AmoPaymentRequiredException($"The amoCRM account is not paid: {describe}.", info);
            case 403:
                return new AmoForbiddenException(
                    isHtml
                        ? $"amoCRM answered 403 with an HTML page (the account or IP is probably blocked for exceeding limits); stop calling this account. Body: {info.BodyExcerpt}"
                        : $"amoCRM forbids this (insufficient rights, IP not allowed or account blocked): {describe}; do not retry.",
                    info, isHtml);
            case 404 when json is not null:
                return new AmoNotFoundException($"Not found: {describe}.", info);
            case 429:
                return new AmoRateLimitedException($"amoCRM rate limit hit: {describe}.", info, ReadRetryAfter(json) ?? retryAfterHeader ?? DefaultRetryAfter);
            case 504:
                return new AmoBatchTooLargeException($"amoCRM timed out on the batch (504): {describe}; send fewer entities per request.", info);
            case >= 500:
                return new AmoTransientException($"amoCRM failed: {describe}" + (json is null ? $". Body: {info.BodyExcerpt}" : "."), info);
            default:
                return new AmoUnexpectedResponseException(
                    json is null
                        ? $"{method} {path} answered {(int)status} with a body that is not amoCRM JSON: {info.BodyExcerpt ?? "(empty)"}"
                        : $"Unexpected amoCRM answer: {describe}.",
                    info);
        }
    }

    private static TimeSpan? ReadRetryAfter(JObject? json)
    {
        var token = json?["retry_after"];
        if (token is null || token.Type == JTokenType.Null)
        {
            return null;
        }
        return double.TryParse(token.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    /// <summary>Both shapes: <c>validation-errors[{request_id, errors[{code,path,detail}]}]</c> and <c>errors{"&lt;id&gt;": "detail"}</c>.</summary>
    public static IReadOnlyList<AmoValidationError> ReadValidationErrors(JObject json)
    {
        var result = new List<AmoValidationError>();
        if (json["validation-errors"] is JArray groups)
        {
            foreach (var group in groups.OfType<JObject>())
            {
                var requestId = group["request_id"]?.Type is JTokenType.Null or null ? null : group["request_id"]!.ToString();
                if (group["errors"] is JArray items)
                {
                    foreach (var item in items.OfType<JObject>())
                    {
                        result.Add(new AmoValidationError(requestId, null, (string?)item["code"], (string?)item["path"], (string?)item["detail"] ?? item.ToString(Formatting.None)));
                    }
                }
            }
        }
        if (json["errors"] is JObject byId)
        {
            foreach (var (key, value) in byId)
            {
                var detail = value is JValue v ? v.ToString(CultureInfo.InvariantCulture) : value?.ToString(Formatting.None) ?? "";
                result.Add(new AmoValidationError(key, long.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null, null, null, detail));
            }
        }
        else if (json["errors"] is JArray list)
        {
            foreach (var item in list)
            {
                result.Add(new AmoValidationError(null, null, (string?)item["code"], (string?)item["path"], (string?)item["detail"] ?? item.ToString(Formatting.None)));
            }
        }
        return result;
    }
}
