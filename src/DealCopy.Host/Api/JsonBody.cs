using System.Text.Json;
using System.Text.Json.Nodes;
using DealCopy.Host.Configuration;

namespace DealCopy.Host.Api;

/// <summary>
/// The one reader of JSON request bodies: bounded in size (<c>Limits:MaxRequestBodyBytes</c>, 413 beyond) and depth
/// (<c>Limits:MaxJsonDepth</c>), strict UTF-8, no duplicate properties. A body that fails is a problem answer, never
/// an exception.
/// </summary>
public static class JsonBody
{
    private static JsonDocumentOptions Options(int maxDepth) => new() { MaxDepth = maxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, AllowDuplicateProperties = false };

    /// <summary>The body as JSON, or the problem answer to give instead (400 not JSON / too deep, 413 too large).</summary>
    public static async Task<(JsonNode? Body, IResult? Problem)> ReadAsync(HttpContext ctx)
    {
        var limits = ctx.RequestServices.GetRequiredService<LimitsOptions>();
        if (ctx.Request.ContentLength > limits.MaxRequestBodyBytes) return (null, TooLarge(limits));
        try
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body, documentOptions: Options(limits.MaxJsonDepth), cancellationToken: ctx.RequestAborted);
            Materialize(body);
            return (body, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return (null, Problem.BadRequest("request.invalid_json", "The body is not valid JSON: " + Describe(e)));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limits));
        }
    }

    /// <summary>A JSON text from inside a request (a DP rule setting), or null with the reason.</summary>
    public static JsonNode? Parse(string json, out string? problem, int maxDepth = LimitsOptions.DefaultJsonDepth)
    {
        problem = null;
        try
        {
            var node = JsonNode.Parse(json, documentOptions: Options(maxDepth));
            Materialize(node);
            return node;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            problem = Describe(e);
            return null;
        }
    }

    public static IResult TooLarge(LimitsOptions limits) =>
        Problem.Of(413, "request.too_large", "The request is too large", $"The body may hold at most {limits.MaxRequestBodyBytes} bytes.",
            parameters: Actors.Protocol.Refusal.Parameters(("max_bytes", limits.MaxRequestBodyBytes)));

    /// <summary>
    /// Reads every name and string once: JsonNode decodes them lazily, and a name or string that is not valid UTF-8
    /// would otherwise throw later, in whatever code touches it first.
    /// </summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o) Materialize(v);
                break;
            case JsonArray a:
                foreach (var v in a) Materialize(v);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                v.GetValue<string>();
                break;
        }
    }

    // JsonException's message names the line and byte; it never echoes the body
    private static string Describe(Exception e) => e.Message;
}
