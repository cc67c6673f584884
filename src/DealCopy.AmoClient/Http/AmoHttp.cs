using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.OAuth;
using Newtonsoft.Json.Linq;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DealCopy.AmoClient;

/// <summary>
/// The one HTTP pipeline for amoCRM API calls: headers, bearer token (refresh once on 401), the request gate,
/// per-attempt timeout, and retries only where repeating is safe (API-NOTES §2, §3).
/// </summary>
internal sealed class AmoHttp
{
    private static readonly ResiliencePropertyKey<bool> RepeatableKey = new("amo.repeatable");
    private static readonly ResiliencePropertyKey<AmoRequestLabel> LabelKey = new("amo.request");

    private readonly HttpClient _http;
    private readonly AmoClientOptions _options;
    private readonly AmoTokenManager _tokens;
    private readonly IAmoRequestGate _gate;
    private readonly ResiliencePipeline _pipeline;

    public AmoHttp(HttpClient http, AmoClientOptions options, AmoTokenManager tokens, IAmoRequestGate gate, TimeProvider time)
    {
        _http = http;
        _options = options;
        _tokens = tokens;
        _gate = gate;
        _pipeline = BuildPipeline(options, time);
    }

    public AmoClientOptions Options => _options;

    public HttpClient HttpClient => _http;

    internal static void AddStandardHeaders(HttpRequestMessage request, AmoClientOptions options)
    {
        request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(options.ClientId))
        {
            request.Headers.TryAddWithoutValidation("X-Client-UUID", options.ClientId);
        }
    }

    /// <summary>
    /// Sends one API request and returns its JSON (null for 204 or an empty body).
    /// <paramref name="repeatable"/>: the request may be sent again after a transient failure (reads; writes whose caller can reconcile).
    /// </summary>
    public async Task<JToken?> SendAsync(AmoAccount account, HttpMethod method, string pathAndQuery, object? body, bool repeatable, CancellationToken cancellationToken)
    {
        var bodyJson = body is null ? null : AmoJson.Serialize(body);
        var label = new AmoRequestLabel(account, method, pathAndQuery, bodyJson);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RepeatableKey, repeatable);
        context.Properties.Set(LabelKey, label);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => state.self.AttemptAsync(state.label, ctx.CancellationToken),
                context,
                (self: this, label)).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new AmoTransientException(
                $"{method} {label.Path}: no answer within {_options.RequestTimeout.TotalSeconds:0.###} s", null, e, isTimeout: true);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<JToken?> AttemptAsync(AmoRequestLabel label, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(label.Account, cancellationToken).ConfigureAwait(false);
        var answer = await SendOnceAsync(label, token, cancellationToken).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            // expired or revoked: refresh once (single flight per account) and repeat; a second 401 means re-authorize
            token = await _tokens.RefreshAfterRejectionAsync(label.Account, token, cancellationToken).ConfigureAwait(false);
            answer = await SendOnceAsync(label, token, cancellationToken).ConfigureAwait(false);
        }
        return Interpret(label, answer);
    }

    private async Task<RawAnswer> SendOnceAsync(AmoRequestLabel label, string accessToken, CancellationToken cancellationToken)
    {
        using var slot = await _gate.AcquireAsync(label.Account.AccountId, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(label.Method, new Uri(label.Account.BaseAddress, label.PathAndQuery));
        AddStandardHeaders(request, _options);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (label.BodyJson is not null)
        {
            request.Content = new StringContent(label.BodyJson, Encoding.UTF8, "application/json");
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            return new RawAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, retryAfter);
        }
        catch (HttpRequestException e)
        {
            throw new AmoTransientException($"{label.Method} {label.Path}: the connection failed before an answer ({e.Message})", null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout, not ours or the caller's
            throw new AmoTransientException($"{label.Method} {label.Path}: HttpClient timed out", null, e, isTimeout: true);
        }
    }

    internal static JToken? Interpret(AmoRequestLabel label, RawAnswer answer)
    {
        var status = (int)answer.Status;
        if (answer.Status == HttpStatusCode.NoContent)
        {
            return null; // amoCRM's "nothing found"
        }
        if (status is >= 200 and < 300)
        {
            if (string.IsNullOrWhiteSpace(answer.Body))
            {
                return null;
            }
            var json = AmoErrorMapper.LooksLikeHtml(answer.ContentType, answer.Body) ? null : AmoErrorMapper.TryParse(answer.Body);
            return json ?? throw new AmoUnexpectedResponseException(
                $"{label.Method} {label.Path} answered {status} with a body that is not JSON: {AmoResponseInfo.Excerpt(answer.Body)}",
                new AmoResponseInfo(label.Method.Method, label.Path, answer.Status, answer.ContentType, null, null, AmoResponseInfo.Excerpt(answer.Body)));
        }
        throw AmoErrorMapper.Map(label.Method.Method, label.Path, answer.Status, answer.ContentType, answer.Body, answer.RetryAfter);
    }

    private static ResiliencePipeline BuildPipeline(AmoClientOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context, options)),
                // amoCRM says how long to wait after a 429: wait exactly that
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is AmoRateLimitedException limited ? limited.RetryAfter : (TimeSpan?)null),
                OnRetry = args =>
                {
                    if (options.OnRetry is { } onRetry && args.Context.Properties.TryGetValue(LabelKey, out var label))
                    {
                        onRetry(new AmoRetryEvent(label.Account.AccountId, label.Method.Method, label.Path, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception));
                    }
                    return default;
                },
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.RequestTimeout });
        return builder.Build();
    }

    private static bool ShouldRetry(Exception? error, ResilienceContext context, AmoClientOptions options) => error switch
    {
        // a 429 means amoCRM did nothing: any request may be repeated, if the wait is short enough to do here
        AmoRateLimitedException limited => limited.RetryAfter <= options.MaxRetryAfter,
        // may or may not have taken effect: only repeatable requests
        AmoTransientException or TimeoutRejectedException =>
            context.Properties.TryGetValue(RepeatableKey, out var repeatable) && repeatable,
        _ => false,
    };

    internal sealed record RawAnswer(HttpStatusCode Status, string? ContentType, string Body, TimeSpan? RetryAfter);
}

/// <summary>One request as the pipeline sees it.</summary>
internal sealed record AmoRequestLabel(AmoAccount Account, HttpMethod Method, string PathAndQuery, string? BodyJson)
{
    /// <summary>The path without the query (for messages: queries can hold 250 ids).</summary>
    public string Path => PathAndQuery.Split('?', 2)[0];
}
