using System.Diagnostics;
using System.Text.RegularExpressions;
using DealCopy.Actors.Telemetry;
using DealCopy.AmoClient;

namespace DealCopy.Host.Telemetry;

/// <summary>Counts every amoCRM request by method, route (ids folded to <c>{id}</c>) and status, on the <c>amocrm</c> HttpClient.</summary>
public sealed partial class AmoRequestMetricsHandler(DealCopyMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = Route(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.AmoRequest(request.Method.Method, route, (int)response.StatusCode);
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            metrics.AmoRequest(request.Method.Method, route, 0); // no answer: refused connection, timeout
            throw;
        }
    }

    /// <summary><c>/api/v4/leads/123/notes</c> → <c>/api/v4/leads/{id}/notes</c>: a bounded set of routes, no account data.</summary>
    public static string Route(Uri? uri) => uri is null ? "" : Id().Replace(uri.AbsolutePath, "/{id}");

    [GeneratedRegex(@"/\d+(?=/|$)")]
    private static partial Regex Id();
}

/// <summary>The rate gate, timed: how long each request waited for a slot in its account's window.</summary>
public sealed class MeasuredRequestGate(IAmoRequestGate inner, DealCopyMetrics metrics) : IAmoRequestGate
{
    public async Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var slot = await inner.AcquireAsync(accountId, cancellationToken);
        metrics.RateWait(Stopwatch.GetElapsedTime(started));
        return slot;
    }
}
