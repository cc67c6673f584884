using Akka.Actor;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Errors;

namespace DealCopy.Actors.Copying;

/// <summary>What a job does after a step failed: try the step again after <see cref="Delay"/>, or wait for the account to come back.</summary>
public sealed record RetryDecision(bool WaitForAccount, TimeSpan Delay, JobError Error);

/// <summary>The job's retry tuning (<c>Jobs</c> section): backoff while nothing succeeds, and how often a blocked account is probed.</summary>
public sealed record RetrySettings(TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan AccountProbe)
{
    public static RetrySettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
}

/// <summary>The account is not installed (disconnected, or tokens dropped): nothing can be done for it until it is installed again.</summary>
public sealed class AccountNotInstalledException(long accountId) : Exception($"account {accountId} is not installed");

/// <summary>
/// The pure decision behind "recover at full speed" (ARCHITECTURE §3.10): a transient failure retries the failed
/// step after a backoff that grows only with failures since the last progress; a 429 waits what amoCRM (or the
/// gateway's window) says, not the backoff; an account that cannot go on (blocked, not paid, authorization gone,
/// disconnected) parks the job, which probes the account now and then and goes on by itself when it is back.
/// </summary>
public static class RetryPolicy
{
    /// <summary>One window of amoCRM's per-second limit: the least a 429 waits, even when amoCRM gives no <c>retry_after</c>.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    /// <param name="error">what the step failed with</param>
    /// <param name="failuresSinceProgress">the failure's backoff step (<see cref="BackoffStep"/>): 0 for the first since the job last journaled progress</param>
    public static RetryDecision Decide(Exception error, int failuresSinceProgress, RetrySettings settings)
    {
        var e = Unwrap(error);
        return e switch
        {
            AmoRateLimitedException r => new(false, r.RetryAfter > RateWindow ? r.RetryAfter : RateWindow,
                Of("amo.rate_limited", e, ("retry_after", Math.Ceiling(r.RetryAfter.TotalSeconds)))),
            AmoForbiddenException f => Park(settings, Of(f.IsHtml ? "account.blocked" : "account.forbidden", e)),
            AmoPaymentRequiredException => Park(settings, Of("account.not_paid", e)),
            // amoCRM refused a token that was just refreshed: usually for good, but a single refusal can be a glitch, so the
            // first probes come soon (1 s, 2 s, 4 s …) and then every AccountProbe
            AmoReauthorizationRequiredException => Park(settings, Of("account.reauthorization_required", e), BackoffFor(failuresSinceProgress, settings)),
            AccountNotInstalledException => Park(settings, Of("account.not_installed", e)),
            AmoTransientException { IsTimeout: true } or AskTimeoutException or TimeoutException => Backoff(failuresSinceProgress, settings, Of("amo.timeout", e)),
            AmoApiException { StatusCode: { } status } => Backoff(failuresSinceProgress, settings, Of("amo.unavailable", e, ("status", (int)status))),
            AmoApiException => Backoff(failuresSinceProgress, settings, Of("amo.unavailable", e)),
            _ => Backoff(failuresSinceProgress, settings, Of("job.step_failed", e)),
        };
    }

    /// <summary>
    /// How many failures in a row amoCRM may answer other calls in between and still be retried after the base wait:
    /// beyond it the step is failing on its own (whatever amoCRM says about it), and the backoff grows as usual.
    /// </summary>
    public const int WeatherFailures = 20;

    /// <summary>
    /// The backoff step of a failure (the wait is <c>base × 2^step</c>): 0 for the first failure since the job made
    /// progress, and 0 again while amoCRM answered some call of the account since the step last failed (a few percent of
    /// 5xx, timeouts and lost answers: its weather, not an outage) — up to <see cref="WeatherFailures"/> failures in a
    /// row; otherwise one more than the last failure's (amoCRM answers nothing: 1 s, 2 s, 4 s …).
    /// </summary>
    /// <param name="previousStep">the last failure's step</param>
    /// <param name="failuresSinceProgress">failures before this one since the job last made progress</param>
    public static int BackoffStep(int previousStep, int failuresSinceProgress, bool amoAnsweredSinceLastFailure) =>
        failuresSinceProgress == 0 || (amoAnsweredSinceLastFailure && failuresSinceProgress < WeatherFailures) ? 0 : previousStep + 1;

    /// <summary><c>base × 2^failures</c>, at most the maximum: 1 s, 2 s, 4 s … while nothing succeeds.</summary>
    public static TimeSpan BackoffFor(int failuresSinceProgress, RetrySettings settings)
    {
        var factor = Math.Pow(2, Math.Clamp(failuresSinceProgress, 0, 30));
        var delay = TimeSpan.FromMilliseconds(Math.Min(settings.MaxDelay.TotalMilliseconds, settings.BaseDelay.TotalMilliseconds * factor));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private static RetryDecision Backoff(int failures, RetrySettings settings, JobError error) => new(false, BackoffFor(failures, settings), error);

    private static RetryDecision Park(RetrySettings settings, JobError error, TimeSpan? sooner = null) =>
        new(true, sooner is { } s && s < settings.AccountProbe ? s : settings.AccountProbe, error);

    private static JobError Of(string code, Exception e, params (string, object?)[] parameters) =>
        new(code, Refusal.Parameters(parameters), Describe(e));

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? Unwrap(inner) : e;

    private static string Describe(Exception e) => e switch
    {
        AskTimeoutException => "no answer in time",
        _ => e.Message.Length > 300 ? e.Message[..300] + "…" : e.Message,
    };
}
