using System.Diagnostics.Metrics;

namespace DealCopy.Actors.Telemetry;

/// <summary>
/// DealCopy's own instruments (meter <see cref="MeterName"/>), one set per node; the Host exports them on
/// <c>/metrics</c> in Prometheus format (docs/OPERATIONS.md "Metrics"). Nothing here carries a secret or a
/// deal's content: accounts appear only as counts.
/// </summary>
public sealed class DealCopyMetrics
{
    public const string MeterName = "DealCopy";

    private readonly Counter<long> _amoRequests;
    private readonly Counter<long> _amoThrottled;
    private readonly Histogram<double> _rateWait;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _jobsAccepted;
    private readonly Counter<long> _jobsFinished;
    private readonly Histogram<double> _copyDuration;
    private readonly Counter<long> _hooks;
    private int _activeAccounts;

    public DealCopyMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(MeterName);
        _amoRequests = meter.CreateCounter<long>("dealcopy.amo.requests", "{request}", "amoCRM API requests by method, route and HTTP status");
        _amoThrottled = meter.CreateCounter<long>("dealcopy.amo.throttled", "{request}", "amoCRM answers 429 Too Many Requests (the norm is none)");
        _rateWait = meter.CreateHistogram<double>("dealcopy.amo.rate_wait", "s", "how long a request waited for a slot in its account's one-second window",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });
        _batchSize = meter.CreateHistogram<int>("dealcopy.amo.batch_size", "{entity}", "entities per batched amoCRM call, by operation",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250] });
        _jobsAccepted = meter.CreateCounter<long>("dealcopy.jobs.accepted", "{job}", "copy jobs accepted (kind: copy or repeat)");
        _jobsFinished = meter.CreateCounter<long>("dealcopy.jobs.finished", "{job}", "copy jobs finished, by status (completed, completed_with_errors, failed, cancelled...)");
        _copyDuration = meter.CreateHistogram<double>("dealcopy.copy.duration", "s", "from a job's acceptance to its end",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800] });
        _hooks = meter.CreateCounter<long>("dealcopy.hooks.received", "{hook}", "amoCRM's calls to us (dp, install, disconnect) by outcome");
        meter.CreateObservableUpDownCounter("dealcopy.accounts.active", () => Volatile.Read(ref _activeAccounts), "{account}", "account entities awake on this node");
    }

    public void AmoRequest(string method, string route, int status)
    {
        _amoRequests.Add(1, new("method", method), new("route", route), new("status", status));
        if (status == 429) _amoThrottled.Add(1, new KeyValuePair<string, object?>("route", route));
    }

    public void RateWait(TimeSpan waited) => _rateWait.Record(waited.TotalSeconds);

    public void Batch(string operation, int entities) => _batchSize.Record(entities, new KeyValuePair<string, object?>("operation", operation));

    public void JobAccepted(string kind) => _jobsAccepted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void JobFinished(string status, TimeSpan took)
    {
        _jobsFinished.Add(1, new KeyValuePair<string, object?>("status", status));
        _copyDuration.Record(Math.Max(0, took.TotalSeconds), new KeyValuePair<string, object?>("status", status));
    }

    public void Hook(string hook, int status) =>
        _hooks.Add(1, new("hook", hook), new("outcome", status < 400 ? "accepted" : "refused"), new("status", status));

    public void AccountAwake() => Interlocked.Increment(ref _activeAccounts);

    public void AccountAsleep() => Interlocked.Decrement(ref _activeAccounts);
}
