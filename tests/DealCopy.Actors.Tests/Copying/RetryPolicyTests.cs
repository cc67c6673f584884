using System.Net;
using Akka.Actor;
using DealCopy.Actors.Copying;
using DealCopy.AmoClient.Errors;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>Recover at full speed: what a job does after each kind of failure (ARCHITECTURE §3.10).</summary>
public sealed class RetryPolicyTests
{
    private static readonly RetrySettings Settings = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(60));

    private static AmoResponseInfo Answer(int status) => new("POST", "/api/v4/leads", (HttpStatusCode)status, "application/problem+json", null, null, null);

    public static TheoryData<string, Exception, int, bool, double, string> Cases() => new()
    {
        // name, error, failures since progress, waits for the account, delay (s), code
        { "first 500", new AmoTransientException("boom", Answer(500)), 0, false, 1, "amo.unavailable" },
        { "third 502 in a row", new AmoTransientException("boom", Answer(502)), 2, false, 4, "amo.unavailable" },
        { "many failures hit the cap", new AmoTransientException("boom", Answer(503)), 20, false, 300, "amo.unavailable" },
        { "a 504 after a long run of failures is capped too", new AmoBatchTooLargeException("504", Answer(504)), 40, false, 300, "amo.unavailable" },
        { "a timeout", new AmoTransientException("slow", null, isTimeout: true), 1, false, 2, "amo.timeout" },
        { "no answer from the gateway", new AskTimeoutException("ask"), 0, false, 1, "amo.timeout" },
        { "a dropped connection", new AmoTransientException("reset", null), 0, false, 1, "amo.unavailable" },
        { "429 with retry_after follows amoCRM, not the backoff", new AmoRateLimitedException("429", Answer(429), TimeSpan.FromSeconds(7)), 9, false, 7, "amo.rate_limited" },
        { "429 without retry_after waits one window", new AmoRateLimitedException("429", Answer(429), TimeSpan.Zero), 9, false, 1, "amo.rate_limited" },
        { "403 HTML page: the account is blocked", new AmoForbiddenException("blocked", Answer(403), isHtml: true), 0, true, 60, "account.blocked" },
        { "403 JSON: no rights", new AmoForbiddenException("forbidden", Answer(403), isHtml: false), 5, true, 60, "account.forbidden" },
        { "402: not paid", new AmoPaymentRequiredException("pay", Answer(402)), 0, true, 60, "account.not_paid" },
        { "tokens refused once: probed again soon", new AmoReauthorizationRequiredException("401", Answer(401)), 0, true, 1, "account.reauthorization_required" },
        { "tokens refused again: the probes space out", new AmoReauthorizationRequiredException("401", Answer(401)), 3, true, 8, "account.reauthorization_required" },
        { "tokens revoked for good: every AccountProbe", new AmoReauthorizationRequiredException("401", Answer(401)), 9, true, 60, "account.reauthorization_required" },
        { "account disconnected", new AccountNotInstalledException(1), 0, true, 60, "account.not_installed" },
        { "wrapped in an AggregateException", new AggregateException(new AmoForbiddenException("blocked", Answer(403), isHtml: true)), 0, true, 60, "account.blocked" },
        { "anything else backs off", new InvalidOperationException("bug"), 3, false, 8, "job.step_failed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, Exception error, int failures, bool waits, double delaySeconds, string code)
    {
        var decision = RetryPolicy.Decide(error, failures, Settings);

        Assert.True(waits == decision.WaitForAccount, name);
        Assert.Equal(TimeSpan.FromSeconds(delaySeconds), decision.Delay);
        Assert.Equal(code, decision.Error.Code);
        Assert.False(string.IsNullOrEmpty(decision.Error.Message));
    }

    [Fact]
    public void A_429_names_amoCRMs_wait_and_a_5xx_its_status()
    {
        Assert.Equal("7", RetryPolicy.Decide(new AmoRateLimitedException("429", Answer(429), TimeSpan.FromSeconds(6.2)), 0, Settings).Error.Params["retry_after"]);
        Assert.Equal("502", RetryPolicy.Decide(new AmoTransientException("bad gateway", Answer(502)), 0, Settings).Error.Params["status"]);
    }

    [Fact]
    public void The_backoff_starts_again_after_progress()
    {
        // the job passes 0 after a step journaled something: the wait is the first one again, however long the storm was
        Assert.Equal(TimeSpan.FromMinutes(5), RetryPolicy.BackoffFor(12, Settings));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryPolicy.BackoffFor(0, Settings));
    }

    [Theory]
    // the last failure's step, failures before this one since progress, amoCRM answered another call since → this failure's step
    [InlineData(7, 0, false, 0)] // the first failure since progress: the base wait, whatever came before
    [InlineData(0, 1, false, 1)] // nothing answered in between: amoCRM is down, the wait doubles
    [InlineData(3, 5, false, 4)]
    [InlineData(3, 5, true, 0)] // amoCRM answers other calls: its weather, the base wait again
    [InlineData(0, 6, false, 1)] // and from there the doubling starts low, not at 2^6
    [InlineData(4, 19, true, 0)]
    [InlineData(4, 20, true, 5)] // this step fails on its own however amoCRM answers the rest: back off
    public void Failures_while_amoCRM_answers_other_calls_are_weather_not_an_outage(int previous, int failures, bool answered, int step)
    {
        Assert.Equal(step, RetryPolicy.BackoffStep(previous, failures, answered));
        Assert.Equal(RetryPolicy.BackoffFor(step, Settings), RetryPolicy.Decide(new AmoTransientException("boom", Answer(502)), step, Settings).Delay);
    }
}
