using System.Net;
using System.Text.RegularExpressions;

namespace DealCopy.AmoClient.Errors;

/// <summary>What a caller must do about a failed amoCRM call; one value per exception type.</summary>
public enum AmoErrorKind
{
    /// <summary>The data was refused (400/422): fix the entities named in the errors; do not retry as is.</summary>
    Validation,
    /// <summary>404: the route or object does not exist.</summary>
    NotFound,
    /// <summary>401 that a token refresh did not cure: the account must authorize the integration again.</summary>
    ReauthorizationRequired,
    /// <summary>402: the account is not paid; pause the account.</summary>
    PaymentRequired,
    /// <summary>403: no rights, IP not allowed, or the account is blocked for exceeding limits: stop, do not retry.</summary>
    Forbidden,
    /// <summary>429: wait <see cref="AmoRateLimitedException.RetryAfter"/> then retry.</summary>
    RateLimited,
    /// <summary>5xx, timeout, connection reset: retry later (writes only if the caller can reconcile).</summary>
    Transient,
    /// <summary>504 on a batch: split the batch and retry the halves.</summary>
    BatchTooLarge,
    /// <summary>An answer the client cannot read (HTML, malformed JSON, unexpected status).</summary>
    UnexpectedResponse,
}

/// <summary>Base of every error the amoCRM client throws. Catch the subtype that names what to do.</summary>
public abstract class AmoApiException : Exception
{
    protected AmoApiException(string message, AmoResponseInfo? response, Exception? inner = null)
        : base(message, inner)
    {
        Response = response;
    }

    /// <summary>What to do about it.</summary>
    public abstract AmoErrorKind Kind { get; }

    /// <summary>The request and answer, when there was an answer.</summary>
    public AmoResponseInfo? Response { get; }

    /// <summary>The HTTP status, when there was an answer.</summary>
    public HttpStatusCode? StatusCode => Response?.StatusCode;
}

/// <summary>The parts of a failed exchange worth reporting (never the token or the whole body).</summary>
public sealed record AmoResponseInfo(
    string Method,
    string Path,
    HttpStatusCode? StatusCode,
    string? ContentType,
    string? Title,
    string? Detail,
    string? BodyExcerpt)
{
    internal const int ExcerptLength = 300;

    /// <summary>A one-line, bounded excerpt of a body for messages and logs.</summary>
    public static string? Excerpt(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }
        var collapsed = Regex.Replace(body, @"\s+", " ").Trim();
        return collapsed.Length <= ExcerptLength ? collapsed : collapsed[..ExcerptLength] + "…";
    }

    internal string Describe() =>
        $"{Method} {Path} answered {(StatusCode is { } s ? $"{(int)s} {s}" : "nothing")}" +
        (Detail is not null ? $": {Detail}" : Title is not null ? $": {Title}" : "");
}

/// <summary>400/422 validation failure; <see cref="Errors"/> say which entity (by request id) failed and why.</summary>
public sealed class AmoValidationException : AmoApiException
{
    public AmoValidationException(string message, AmoResponseInfo response, IReadOnlyList<AmoValidationError> errors)
        : base(message, response)
    {
        Errors = errors;
    }

    public override AmoErrorKind Kind => AmoErrorKind.Validation;

    /// <summary>Every error amoCRM named, with the request id (or entity id) of the entity it belongs to.</summary>
    public IReadOnlyList<AmoValidationError> Errors { get; }

    /// <summary>Entities of earlier chunks of the same call that were written before this chunk was refused.</summary>
    public IReadOnlyList<Model.WrittenEntity> WrittenBeforeFailure { get; internal set; } = [];

    /// <summary>The errors of one entity, by the request id it was sent with.</summary>
    public IReadOnlyList<AmoValidationError> ErrorsFor(string requestId) =>
        Errors.Where(e => e.RequestId == requestId).ToList();
}

/// <summary>
/// One validation error. From <c>validation-errors</c>: <see cref="RequestId"/>, <see cref="Code"/>, <see cref="Path"/>;
/// from amoCRM's second shape <c>{"errors":{"&lt;id&gt;":"..."}}</c>: <see cref="EntityId"/> (and the same key as request id).
/// </summary>
public sealed record AmoValidationError(string? RequestId, long? EntityId, string? Code, string? Path, string Detail);

/// <summary>404: the object or route does not exist.</summary>
public sealed class AmoNotFoundException(string message, AmoResponseInfo response) : AmoApiException(message, response)
{
    public override AmoErrorKind Kind => AmoErrorKind.NotFound;
}

/// <summary>
/// The account's authorization is gone: a 401 persisted after a refresh, the refresh token was refused,
/// a long-lived token expired, or no tokens are stored. The account must install/authorize again.
/// </summary>
public sealed class AmoReauthorizationRequiredException(string message, AmoResponseInfo? response, Exception? inner = null)
    : AmoApiException(message, response, inner)
{
    public override AmoErrorKind Kind => AmoErrorKind.ReauthorizationRequired;
}

/// <summary>402: the account has not paid; calls will fail until it does.</summary>
public sealed class AmoPaymentRequiredException(string message, AmoResponseInfo response) : AmoApiException(message, response)
{
    public override AmoErrorKind Kind => AmoErrorKind.PaymentRequired;
}

/// <summary>403: stop working for this account (no rights, IP refused, or blocked for exceeding limits). Never retried.</summary>
public sealed class AmoForbiddenException(string message, AmoResponseInfo response, bool isHtml) : AmoApiException(message, response)
{
    public override AmoErrorKind Kind => AmoErrorKind.Forbidden;

    /// <summary>The 403 came as an HTML page: what amoCRM shows a blocked account.</summary>
    public bool IsHtml { get; } = isHtml;
}

/// <summary>429: wait <see cref="RetryAfter"/> before the next call to this account.</summary>
public sealed class AmoRateLimitedException(string message, AmoResponseInfo response, TimeSpan retryAfter) : AmoApiException(message, response)
{
    public override AmoErrorKind Kind => AmoErrorKind.RateLimited;

    /// <summary>From the body's <c>retry_after</c> (or the Retry-After header); 1 s when amoCRM gave none.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>5xx, timeout or a dropped connection: the call may or may not have taken effect.</summary>
public sealed class AmoTransientException(string message, AmoResponseInfo? response, Exception? inner = null, bool isTimeout = false)
    : AmoApiException(message, response, inner)
{
    public override AmoErrorKind Kind => AmoErrorKind.Transient;

    /// <summary>No answer within the request timeout.</summary>
    public bool IsTimeout { get; } = isTimeout;
}

/// <summary>504 on a batch: amoCRM could not handle that many entities at once.</summary>
public sealed class AmoBatchTooLargeException(string message, AmoResponseInfo response) : AmoApiException(message, response)
{
    public override AmoErrorKind Kind => AmoErrorKind.BatchTooLarge;
}

/// <summary>An answer the client cannot read: HTML or malformed JSON where JSON was due, or an unexpected status.</summary>
public sealed class AmoUnexpectedResponseException(string message, AmoResponseInfo response, Exception? inner = null)
    : AmoApiException(message, response, inner)
{
    public override AmoErrorKind Kind => AmoErrorKind.UnexpectedResponse;
}
