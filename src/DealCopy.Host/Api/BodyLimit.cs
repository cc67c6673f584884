using DealCopy.Host.Configuration;
using Microsoft.AspNetCore.Http.Features;

namespace DealCopy.Host.Api;

/// <summary>
/// Bounds request bodies before any endpoint reads them: a body over <c>Limits:MaxRequestBodyBytes</c> is a 413
/// problem. Most clients (browsers, HttpClient) do not wait for <c>100-continue</c>: they keep sending while the
/// answer comes, and a server that closes the connection mid-upload gives them a dropped connection instead of the
/// 413. So a body up to <c>Limits:MaxRequestBodyDrainBytes</c> is read to its end and thrown away before the answer;
/// a larger one (or one that waits for 100-continue) is answered at once. Bodies within the limit are buffered,
/// so endpoints read them from memory.
/// </summary>
public sealed class BodyLimit(RequestDelegate next, LimitsOptions limits)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var length = request.ContentLength;
        var hasBody = length > 0 || (length is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            await next(ctx);
            return;
        }
        var waitsForContinue = request.Headers.Expect.Any(e => string.Equals(e, "100-continue", StringComparison.OrdinalIgnoreCase));
        if (length > limits.MaxRequestBodyBytes && (waitsForContinue || length > limits.MaxRequestBodyDrainBytes))
        {
            await JsonBody.TooLarge(limits).ExecuteAsync(ctx);
            return;
        }
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limits.MaxRequestBodyDrainBytes;

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
        {
            total += read;
            if (total <= limits.MaxRequestBodyBytes) buffer.Write(chunk, 0, read);
        }
        if (total > limits.MaxRequestBodyBytes)
        {
            await JsonBody.TooLarge(limits).ExecuteAsync(ctx);
            return;
        }
        buffer.Position = 0;
        request.Body = buffer;
        await next(ctx);
    }
}
