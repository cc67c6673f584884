using Akka.Actor;
using Akka.Event;
using DealCopy.AmoClient;
using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;

namespace DealCopy.Actors.Gateway;

/// <summary>Correlation ids of gateway ops.</summary>
public static class OpIds
{
    private static long _next;

    public static long Next() => Interlocked.Increment(ref _next);
}

/// <summary>An operation for the account's amoCRM gateway; the reply is a <see cref="GatewayResult"/> with the same id.</summary>
public abstract record GatewayOp(long OpId) : INoSerializationVerificationNeeded
{
    /// <summary>Ops with the same key can share one amoCRM call; null = runs alone.</summary>
    public abstract string? BatchKey { get; }

    /// <summary>How many entities this op adds to a shared call.</summary>
    public abstract int Size { get; }
}

public sealed record ReadLeads(long OpId, IReadOnlyList<long> Ids, LeadWith With) : GatewayOp(OpId)
{
    public override string BatchKey => "read-leads:" + With;
    public override int Size => Ids.Count;
}

public sealed record CreateLeads(long OpId, IReadOnlyList<LeadWrite> Leads) : GatewayOp(OpId)
{
    public override string BatchKey => "create-leads";
    public override int Size => Leads.Count;
}

public sealed record UpdateLeads(long OpId, IReadOnlyList<LeadWrite> Leads) : GatewayOp(OpId)
{
    public override string BatchKey => "update-leads";
    public override int Size => Leads.Count;
}

public sealed record LinkEntities(long OpId, IReadOnlyList<LinkWrite> Links, bool Unlink = false) : GatewayOp(OpId)
{
    public override string BatchKey => Unlink ? "unlink" : "link";
    public override int Size => Links.Count;
}

public sealed record CreateNotes(long OpId, IReadOnlyList<NoteWrite> Notes) : GatewayOp(OpId)
{
    public override string BatchKey => "create-notes";
    public override int Size => Notes.Count;
}

public sealed record CreateTasks(long OpId, IReadOnlyList<TaskWrite> Tasks) : GatewayOp(OpId)
{
    public override string BatchKey => "create-tasks";
    public override int Size => Tasks.Count;
}

public sealed record ReadNotes(long OpId, IReadOnlyList<long> LeadIds) : GatewayOp(OpId)
{
    public override string BatchKey => "read-notes";
    public override int Size => LeadIds.Count;
}

public sealed record ReadTasks(long OpId, IReadOnlyList<long> LeadIds) : GatewayOp(OpId)
{
    public override string BatchKey => "read-tasks";
    public override int Size => LeadIds.Count;
}

/// <summary>Anything else (metadata, lists): one call of its own.</summary>
public sealed record CallAmo(long OpId, string What, Func<AmoAccountClient, CancellationToken, Task<object?>> Call) : GatewayOp(OpId)
{
    public override string? BatchKey => null;
    public override int Size => 1;
}

/// <summary>The outcome of one op: <see cref="Value"/> or <see cref="Error"/>.</summary>
public sealed record GatewayResult(long OpId, object? Value, Exception? Error) : INoSerializationVerificationNeeded;

/// <summary>
/// Told to the gateway's parent (the account) whenever amoCRM answers 403, to any op: the users and rights the
/// account holds may be stale (a role changed, the installing admin was demoted), or the account is blocked.
/// </summary>
internal sealed record AmoAnsweredForbidden(string What) : INoSerializationVerificationNeeded;

/// <summary>
/// Gateway limits (Amo:MaxBatch, Amo:MaxCreateBatch, and Amo:MinCreateBatch, the least a 504 brings writes down to) and how
/// many calls may wait for slots at once.
/// </summary>
public sealed record GatewaySettings(int MaxBatch, int MaxCreateBatch, int MaxInFlight, TimeSpan CallTimeout, int MinCreateBatch = 50)
{
    /// <summary>A new account's <see cref="AmoWeather"/>: writes start at the maximum and follow amoCRM's answers (<see cref="WriteSizeState"/>).</summary>
    public AmoWeather NewWeather() => new(MaxCreateBatch, MinCreateBatch);
}

/// <summary>
/// Every amoCRM call of one account passes here (ARCHITECTURE §3.2). Pending ops of all the account's
/// jobs wait in one queue; when a call can start, the oldest op's kind is packed with every compatible
/// pending op up to the batch limit, so mass copies and bursts cost about entities/batch calls. The
/// per-account sliding-window limiter (<see cref="AccountRequestGates"/>) spaces the HTTP requests.
/// </summary>
public sealed class AmoGateway : ReceiveActor, IWithTimers
{
    private sealed record SlotFree : INoSerializationVerificationNeeded
    {
        public static readonly SlotFree Instance = new();
    }

    private sealed record Pending(GatewayOp Op, IActorRef ReplyTo);

    private sealed record BatchDone(IReadOnlyList<Pending> Batch, object? Value, Exception? Error) : INoSerializationVerificationNeeded;

    private readonly AmoAccountClient _client;
    private readonly GatewaySettings _settings;
    private readonly SlidingWindowLimiter _limiter;
    private readonly AmoWeather _weather;
    private readonly LinkedList<Pending> _queue = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopped = new();
    private int _inFlight;

    private readonly Telemetry.DealCopyMetrics? _metrics;

    public AmoGateway(AmoAccountClient client, GatewaySettings settings, SlidingWindowLimiter limiter, AmoWeather weather, Telemetry.DealCopyMetrics? metrics = null)
    {
        _metrics = metrics;
        _client = client;
        _settings = settings;
        _limiter = limiter;
        _weather = weather;
        Receive<GatewayOp>(op =>
        {
            _queue.AddLast(new Pending(op, Sender));
            Dispatch();
        });
        Receive<BatchDone>(OnDone);
        Receive<SlotFree>(_ => Dispatch());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PostStop()
    {
        _stopped.Cancel();
        _stopped.Dispose();
        base.PostStop();
    }

    public static Props Props(AmoAccountClient client, GatewaySettings settings, SlidingWindowLimiter limiter, AmoWeather weather, Telemetry.DealCopyMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new AmoGateway(client, settings, limiter, weather, metrics));

    /// <summary>
    /// Starts calls only when the account's window has a slot for them: while it has none, pending ops
    /// wait here, where later ones of the same kind can still join them, instead of inside a call.
    /// </summary>
    private void Dispatch()
    {
        while (_inFlight < _settings.MaxInFlight && _queue.First is { } first)
        {
            var (free, nextIn) = _limiter.Peek();
            if (free <= _inFlight)
            {
                if (!Timers.IsTimerActive("slot")) Timers.StartSingleTimer("slot", SlotFree.Instance, nextIn + TimeSpan.FromMilliseconds(5));
                return;
            }
            var batch = Take(first.Value);
            _inFlight++;
            Execute(batch).PipeTo(Self);
        }
    }

    /// <summary>The oldest op plus every later op of the same kind that still fits the batch limit.</summary>
    private List<Pending> Take(Pending first)
    {
        _queue.Remove(first);
        var batch = new List<Pending> { first };
        var key = first.Op.BatchKey;
        if (key is null) return batch;
        var limit = IsWrite(first.Op) ? _weather.WriteSize : _settings.MaxBatch;
        var size = first.Op.Size;
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Op.BatchKey == key && size + node.Value.Op.Size <= limit)
            {
                size += node.Value.Op.Size;
                batch.Add(node.Value);
                _queue.Remove(node);
            }
            node = next;
        }
        return batch;
    }

    // Creates are never repeated by the client (canReconcile: false): an uncertain create comes back as an
    // error and the job looks for what it made before trying again. Updates and links are idempotent.
    private async Task<BatchDone> Execute(List<Pending> batch)
    {
        // a stopped gateway (its account moved to another node or the node stops) aborts what it still has in
        // flight: a request that has not reached amoCRM by then never will, so it cannot land in the first
        // second of the account's new home (which waits one window before its first request)
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopped.Token);
        cts.CancelAfter(_settings.CallTimeout);
        if (batch[0].Op.BatchKey is { } key) _metrics?.Batch(key.Split(':')[0], batch.Sum(p => p.Op.Size));
        try
        {
            object? value = batch[0].Op switch
            {
                ReadLeads r => await _client.Leads.GetByIdsAsync(batch.SelectMany(p => ((ReadLeads)p.Op).Ids).Distinct().ToList(), r.With, cts.Token).ConfigureAwait(false),
                CreateLeads => await _client.Leads.CreateAsync(batch.SelectMany(p => ((CreateLeads)p.Op).Leads).ToList(), canReconcile: false, cts.Token).ConfigureAwait(false),
                UpdateLeads => await _client.Leads.UpdateAsync(batch.SelectMany(p => ((UpdateLeads)p.Op).Leads).ToList(), canReconcile: true, cts.Token).ConfigureAwait(false),
                LinkEntities { Unlink: false } => await Link(batch, unlink: false, cts.Token).ConfigureAwait(false),
                LinkEntities { Unlink: true } => await Link(batch, unlink: true, cts.Token).ConfigureAwait(false),
                CreateNotes => await _client.Notes.CreateAsync(batch.SelectMany(p => ((CreateNotes)p.Op).Notes).ToList(), canReconcile: false, cts.Token).ConfigureAwait(false),
                CreateTasks => await _client.Tasks.CreateAsync(batch.SelectMany(p => ((CreateTasks)p.Op).Tasks).ToList(), canReconcile: false, cts.Token).ConfigureAwait(false),
                ReadNotes => await _client.Notes.GetForLeadsAsync(batch.SelectMany(p => ((ReadNotes)p.Op).LeadIds).Distinct().ToList(), null, cts.Token).ConfigureAwait(false),
                ReadTasks => await _client.Tasks.GetForLeadsAsync(batch.SelectMany(p => ((ReadTasks)p.Op).LeadIds).Distinct().ToList(), null, cts.Token).ConfigureAwait(false),
                CallAmo c => await c.Call(_client, cts.Token).ConfigureAwait(false),
                _ => throw new InvalidOperationException("unknown gateway op " + batch[0].Op.GetType().Name),
            };
            return new BatchDone(batch, value, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var error = e is OperationCanceledException && cts.IsCancellationRequested
                ? new AmoTransientException(_stopped.IsCancellationRequested ? "the gateway stopped" : $"amoCRM call did not finish within {_settings.CallTimeout}", null, e, isTimeout: true)
                : e;
            return new BatchDone(batch, null, error);
        }
    }

    private async Task<object?> Link(List<Pending> batch, bool unlink, CancellationToken ct)
    {
        var links = batch.SelectMany(p => ((LinkEntities)p.Op).Links).ToList();
        if (unlink) await _client.Links.UnlinkAsync(links, canReconcile: true, ct).ConfigureAwait(false);
        else await _client.Links.LinkAsync(links, canReconcile: true, ct).ConfigureAwait(false);
        return null;
    }

    private static bool IsWrite(GatewayOp op) => op is CreateLeads or UpdateLeads or LinkEntities or CreateNotes or CreateTasks;

    private void OnDone(BatchDone done)
    {
        _inFlight--;
        // a refusal of the data is an answer too: amoCRM is there
        if (done.Error is null or AmoValidationException or AmoNotFoundException) _weather.Answered();
        if (IsWrite(done.Batch[0].Op))
        {
            // amoCRM says "reduce the batch" with a 504; a write that got no answer in time says the same
            var sent = done.Batch.Sum(p => p.Op.Size);
            var before = _weather.WriteSize;
            if (done.Error is AmoBatchTooLargeException or AmoTransientException { IsTimeout: true }) _weather.WriteTimedOut(sent);
            else if (done.Error is null) _weather.WriteAnswered(sent);
            if (_weather.WriteSize != before)
                _log.Info("amoCRM {0} a write of {1} entities: writes now carry up to {2} (were {3})", done.Error is null ? "answered" : "timed out on", sent, _weather.WriteSize, before);
        }
        // amoCRM counted more than its limit: nothing of this account starts before a whole window has passed
        if (done.Error is AmoRateLimitedException) _limiter.AssumeFull();
        // one place sees every answer of the account: admission reads, metadata loads and every job's steps
        if (done.Error is AmoForbiddenException) Context.Parent.Tell(new AmoAnsweredForbidden(done.Batch[0].Op.BatchKey ?? ((CallAmo)done.Batch[0].Op).What));
        if (done.Error is AmoValidationException validation && done.Batch.Count > 1 && done.Batch[0].Op is not (ReadLeads or ReadNotes or ReadTasks))
        {
            // amoCRM refuses a whole batch for one bad entity: answer the ops it named, retry the others alone.
            var retry = new List<Pending>();
            foreach (var p in done.Batch)
            {
                if (Mentions(p.Op, validation)) p.ReplyTo.Tell(new GatewayResult(p.Op.OpId, null, validation));
                else retry.Add(p);
            }
            if (retry.Count == done.Batch.Count)
            {
                // nothing attributable: every op gets the error
                foreach (var p in retry) p.ReplyTo.Tell(new GatewayResult(p.Op.OpId, null, validation));
            }
            else
            {
                for (var i = retry.Count - 1; i >= 0; i--) _queue.AddFirst(retry[i]);
            }
        }
        else
        {
            if (done.Error is not null and not AmoValidationException)
                _log.Warning("amoCRM call for {0} op(s) of kind {1} failed: {2}", done.Batch.Count, done.Batch[0].Op.BatchKey ?? ((CallAmo)done.Batch[0].Op).What, done.Error.Message);
            foreach (var p in done.Batch)
                p.ReplyTo.Tell(new GatewayResult(p.Op.OpId, done.Error is null ? Slice(p.Op, done.Value) : null, done.Error));
        }
        Dispatch();
    }

    /// <summary>Whether amoCRM's validation errors name one of this op's entities (by request id, or by lead id on updates).</summary>
    private static bool Mentions(GatewayOp op, AmoValidationException e)
    {
        IEnumerable<string?> requestIds = op switch
        {
            CreateLeads c => c.Leads.Select(l => l.RequestId),
            UpdateLeads u => u.Leads.Select(l => l.RequestId),
            CreateNotes n => n.Notes.Select(x => x.RequestId),
            CreateTasks t => t.Tasks.Select(x => x.RequestId),
            _ => [],
        };
        var set = requestIds.Where(x => x is not null).ToHashSet();
        var leadIds = op is UpdateLeads up ? up.Leads.Select(l => l.Id).ToHashSet() : [];
        return e.Errors.Any(err => (err.RequestId is not null && set.Contains(err.RequestId)) || (err.EntityId is { } id && leadIds.Contains(id)));
    }

    /// <summary>The part of a shared call's result that belongs to one op.</summary>
    private static object? Slice(GatewayOp op, object? value) => op switch
    {
        ReadLeads r => ((List<Lead>)value!).Where(l => r.Ids.Contains(l.Id)).ToList(),
        CreateLeads c => Written(value, c.Leads.Select(l => l.RequestId)),
        UpdateLeads u => ((IReadOnlyList<WrittenEntity>)value!).Where(w => u.Leads.Any(l => l.Id == w.Id)).ToList(),
        CreateNotes n => Written(value, n.Notes.Select(x => x.RequestId)),
        CreateTasks t => Written(value, t.Tasks.Select(x => x.RequestId)),
        ReadNotes r => ((List<Note>)value!).Where(x => x.EntityId is { } id && r.LeadIds.Contains(id)).ToList(),
        ReadTasks r => ((List<AmoTask>)value!).Where(x => x.EntityId is { } id && r.LeadIds.Contains(id)).ToList(),
        _ => value,
    };

    private static List<WrittenEntity> Written(object? value, IEnumerable<string?> requestIds)
    {
        var set = requestIds.ToHashSet();
        return ((IReadOnlyList<WrittenEntity>)value!).Where(w => set.Contains(w.RequestId)).ToList();
    }
}
