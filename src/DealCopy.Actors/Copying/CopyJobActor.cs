using System.Globalization;
using Akka.Actor;
using Akka.Event;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.Actors.Copying;

/// <summary>
/// Runs one job (a copy, or the undo of one) as a sequence of idempotent phases: create the copies,
/// link products, write notes, copy tasks, handle the originals. Every outcome is journaled through
/// the account before the next step, and every write that may or may not have happened is looked up
/// before it is tried again, so a restart or a lost answer never makes anything twice (ARCHITECTURE §3.3).
/// A failed step is tried again on its own (the steps before it are not repeated) as <see cref="RetryPolicy"/>
/// decides: backoff only while nothing succeeds, amoCRM's own wait after a 429, and a parked job
/// (<c>waiting_for_account</c>) while the account is blocked or its authorization is gone; nothing is dropped.
/// </summary>
public sealed class CopyJobActor : ReceiveActor, IWithTimers
{
    private sealed record Run : INoSerializationVerificationNeeded
    {
        public static readonly Run Instance = new();
    }

    private const string Service = "DealCopy";
    private const int MaxValidationRounds = 4;
    private const int MaxMarkerRenewals = 3;

    private readonly long _accountId;
    private readonly string _referer;
    private readonly JobState _job;
    private readonly IActorRef _gateway;
    private readonly ActorSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, List<SkippedField>> _refused = [];
    private RuleMark? _rule;
    private AccountMetadata? _meta;
    private Dictionary<long, Lead>? _sources;
    private int _step; // the first copy step not yet done in this incarnation: a retry starts there
    private int _failuresSinceProgress;
    private int _backoffStep; // the last failure's (RetryPolicy.BackoffStep)
    private int _retries;
    private JobError? _lastError;
    private bool _waiting;
    private int _markerRenewals;
    private IReadOnlyList<Lead>? _prefetched;
    private IReadOnlyList<Note>? _prefetchedNotes; // a preview of this request read them moments ago: the first run uses them
    private IReadOnlyList<AmoTask>? _prefetchedTasks;
    private readonly AmoWeather? _weather; // the account's: its write size, and when amoCRM last answered
    private long _failedAt = long.MinValue; // when the last attempt failed (Stopwatch timestamp)
    // the sources, their notes and their tasks, read in parts that retries keep (PartedRead): the notes and tasks are
    // read while the copies are made; a failed step used to read every remaining source again, which under amoCRM's
    // everyday errors cost more than the copy. A job that waits for its account forgets them (it may wait for hours).
    private PartedRead<Lead>? _leadsRead;
    private PartedRead<Note>? _notesRead;
    private PartedRead<AmoTask>? _tasksRead;

    /// <param name="prefetched">the source deals as the request's check read them moments ago (LeadWith.ForCopy); the job starts from them (and keeps them for its retries, until it waits for its account)</param>
    /// <param name="prefetchedNotes">the sources' notes as a preview of this request read them (null: read them when needed); likewise <paramref name="prefetchedTasks"/></param>
    public CopyJobActor(long accountId, string referer, JobState job, IActorRef gateway, ActorSettings settings, TimeProvider time, IReadOnlyList<Lead>? prefetched = null,
        IReadOnlyList<Note>? prefetchedNotes = null, IReadOnlyList<AmoTask>? prefetchedTasks = null, AmoWeather? weather = null)
    {
        _weather = weather;
        _prefetched = prefetched;
        _prefetchedNotes = prefetchedNotes;
        _prefetchedTasks = prefetchedTasks;
        _accountId = accountId;
        _referer = referer;
        _job = job;
        _gateway = gateway;
        _settings = settings;
        _time = time;
        ReceiveAsync<Run>(_ => RunOnce());
        Receive<AccountBack>(_ =>
        {
            // re-installed or new tokens: a parked job need not wait for its next probe
            if (!_waiting || !Timers.IsTimerActive("retry")) return;
            Timers.Cancel("retry");
            Self.Tell(Run.Instance);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="weather">what the account's gateway learns from amoCRM's answers (write size, last answer); without one, writes of the settings' maximum and the plain backoff</param>
    public static Props Props(long accountId, string referer, JobState job, IActorRef gateway, ActorSettings settings, TimeProvider time, IReadOnlyList<Lead>? prefetched = null,
        IReadOnlyList<Note>? prefetchedNotes = null, IReadOnlyList<AmoTask>? prefetchedTasks = null, AmoWeather? weather = null) =>
        Akka.Actor.Props.Create(() => new CopyJobActor(accountId, referer, job, gateway, settings, time, prefetched, prefetchedNotes, prefetchedTasks, weather));

    protected override void PreStart() => Self.Tell(Run.Instance);

    private CopyOptions Options => _job.Spec.Options;

    /// <summary>
    /// The moment the copies are planned for: when the job was accepted, or when a delayed repeat deal fell
    /// due (its copied open tasks are then due after it appears, not weeks overdue). Both are journaled, so a
    /// retried step plans exactly what the first attempt did.
    /// </summary>
    private long PlannedAt => Math.Max(_job.CreatedAt, _job.Spec.Trigger?.RunAt ?? 0);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private async Task RunOnce()
    {
        try
        {
            if (_job.UndoRequestedAt is not null) await UndoAll();
            else await CopyAll();
            Context.Parent.Tell(new JobActorDone(_job.JobId));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // failures while amoCRM answers other calls are its weather, not an outage: they are retried after the base wait
            var answered = _weather?.AnsweredSince(_failedAt) ?? false;
            _failedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _backoffStep = RetryPolicy.BackoffStep(_backoffStep, _failuresSinceProgress++, answered);
            var decision = RetryPolicy.Decide(e, _backoffStep, _settings.Retry);
            _retries++;
            _lastError = decision.Error;
            _waiting = decision.WaitForAccount;
            if (_waiting) (_leadsRead, _notesRead, _tasksRead) = (null, null, null); // it may wait for hours: read the sources again then
            if (_waiting)
                _log.Warning("account {0} job {1}: waiting for the account ({2}: {3}); probing again in {4}", _accountId, _job.JobId, decision.Error.Code, AccountActor.Describe(e), decision.Delay);
            else
                _log.Warning("account {0} job {1}: {2}; trying the step again in {3}", _accountId, _job.JobId, AccountActor.Describe(e), decision.Delay);
            Context.Parent.Tell(new JobHealth(_job.JobId, _retries, _lastError, _waiting));
            Timers.StartSingleTimer("retry", Run.Instance, decision.Delay);
        }
    }

    /// <summary>Something was journaled: the backoff starts from the beginning again, and a parked job is back at work.</summary>
    private void Progressed()
    {
        _failuresSinceProgress = 0;
        if (!_waiting) return;
        _waiting = false;
        Context.Parent.Tell(new JobHealth(_job.JobId, _retries, _lastError, Waiting: false));
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private async Task<T> Gate<T>(GatewayOp op)
    {
        var result = await _gateway.Ask<GatewayResult>(op, _settings.StepTimeout);
        if (result.Error is not null) throw result.Error;
        return (T)result.Value!;
    }

    private async Task Journal(IReadOnlyList<IAccountEvent> events)
    {
        if (events.Count == 0) return;
        await Context.Parent.Ask<Persisted>(new PersistJobEvents(events), _settings.StepTimeout);
        foreach (var e in events.OfType<IJobEvent>()) _job.Apply(e);
        // saying "about to try" is not progress: a step that keeps failing must not reset its backoff
        if (events.Any(e => e is not (CopiesAttempted or CopyStepAttempted))) Progressed();
    }

    /// <summary>A read started ahead that a failed run may never await: its failure is the run's, not an unobserved one.</summary>
    private static Task<T> Observed<T>(Task<T> task)
    {
        _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private PartedRead<Note> NotesOf(IReadOnlyList<long> sourceIds) => new(sourceIds, ids => Gate<List<Note>>(new ReadNotes(OpIds.Next(), ids)));

    private PartedRead<AmoTask> TasksOf(IReadOnlyList<long> sourceIds) => new(sourceIds, ids => Gate<List<AmoTask>>(new ReadTasks(OpIds.Next(), ids)));

    private Task Journal(params IAccountEvent[] events) => Journal((IReadOnlyList<IAccountEvent>)events);

    private List<(string Key, CopyItemState Item, int Sequence)> Items() =>
        _job.Items.Select((kv, i) => (kv.Key, kv.Value, i)).ToList();

    /// <summary>
    /// Chunks of whole items whose entity count stays within one write where possible: the account's write size as it
    /// is when the step starts (after a 504 a retried step sends smaller chunks).
    /// </summary>
    private IEnumerable<List<T>> Chunks<T>(IEnumerable<T> items, Func<T, int> size) => CopyPlan.Chunks(items, size, _weather?.WriteSize ?? _settings.Gateway.MaxCreateBatch);

    private LeadCopyDraft Draft(AccountMetadata meta, Lead source, string key, CopyItemState item, int sequence)
    {
        var draft = CopyPlan.Plan(source, meta, Options, new CopyContext(_job.JobId, item.N, sequence, _time.GetUtcNow(), _job.Spec.RequestedBy, _rule));
        if (!_refused.TryGetValue(key, out var refused)) return draft;
        var refusedIds = refused.Select(r => r.FieldId).ToHashSet();
        draft.Lead.CustomFieldsValues = draft.Lead.CustomFieldsValues?.Where(v => v.FieldId is not { } id || !refusedIds.Contains(id)).ToList();
        return draft with { Skipped = draft.Skipped.Concat(refused).ToList() };
    }

    // ---- copy ---------------------------------------------------------------------------------

    private async Task CopyAll()
    {
        // each step is idempotent against the journal; a retry resumes at the step that failed with what was read before
        // (of steps that run together, each one skips what it has done)
        Func<Task>[] steps =
        [
            Prepare,
            () => CreateCopies(_meta!, _sources!),
            // the copies' products, notes and tasks do not depend on each other: they go together, so one that waits (a
            // timeout, a retry) does not hold the others up, and the gateway packs their writes into the same windows
            () => Task.WhenAll(LinkProducts(_meta!, _sources!), WriteNotes(_meta!, _sources!), CopyTasks(_meta!, _sources!)),
            () => HandleOriginals(_sources!),
        ];
        for (; _step < steps.Length; _step++)
        {
            await steps[_step]();
            if (_job.CancelledReason is not null) return;
        }
        await Journal(new JobFinished(_job.JobId, Now));
        _log.Info("account {0} job {1} finished: {2}", _accountId, _job.JobId, _job.Status);
    }

    private async Task Prepare()
    {
        var meta = await Context.Parent.Ask<AccountMetadata>(GetJobMetadata.Instance, _settings.StepTimeout);
        _leadsRead ??= _prefetched is { } prefetched ? PartedRead<Lead>.Of(prefetched)
            : new PartedRead<Lead>(_job.Spec.SourceLeadIds, ids => Gate<List<Lead>>(new ReadLeads(OpIds.Next(), ids, LeadWith.ForCopy)));
        _prefetched = null;
        var read = await _leadsRead.All();
        var sources = read.Where(l => l.IsDeleted != true).ToDictionary(l => l.Id);

        if (_job.Spec.Trigger is { } trigger)
        {
            _rule = new RuleMark(trigger.RuleId, RuleDepth(meta, sources.GetValueOrDefault(trigger.LeadId)) + 1);
            if (!Items().Any(x => x.Item.AttemptedAt.Count > 0 || x.Item.IsSettled) && await WhyNotRepeat(meta, sources, trigger) is { } reason)
            {
                await Journal(new JobCancelled(_job.JobId, reason, Now));
                _log.Info("account {0} job {1}: repeat deal for lead {2} not made: {3}", _accountId, _job.JobId, trigger.LeadId, reason.Message);
                return;
            }
        }

        // a source deleted after the job was accepted cannot be copied any more
        await Journal(Items().Where(x => !x.Item.IsSettled && x.Item.AttemptedAt.Count == 0 && !sources.ContainsKey(x.Item.SourceId))
            .Select(x => (IAccountEvent)new CopyFailed(_job.JobId, x.Key, Reason.Of("copy.source_gone", "the source deal no longer exists", ("lead_id", x.Item.SourceId)))).ToList());

        // the sources' notes and tasks do not depend on the copies: read them while the copies are made
        var open = Items().Where(x => sources.ContainsKey(x.Item.SourceId)).ToList();
        List<long> SourcesWithout(CopyStep step) => open.Where(x => !x.Item.Done.ContainsKey(step)).Select(x => x.Item.SourceId).Distinct().ToList();
        if (Options.Content.Notes && SourcesWithout(CopyStep.Notes) is { Count: > 0 } forNotes)
        {
            _notesRead ??= _prefetchedNotes is { } notes ? PartedRead<Note>.Of(notes) : NotesOf(forNotes);
            _ = Observed(_notesRead.All());
        }
        if ((Options.Content.OpenTasks || Options.Content.FinishedTasks) && SourcesWithout(CopyStep.Tasks) is { Count: > 0 } forTasks)
        {
            _tasksRead ??= _prefetchedTasks is { } tasks ? PartedRead<AmoTask>.Of(tasks) : TasksOf(forTasks);
            _ = Observed(_tasksRead.All());
        }
        _prefetchedNotes = null;
        _prefetchedTasks = null;
        _meta = meta;
        _sources = sources;
    }

    /// <summary>How many rule copies deep a lead is (0 for a deal no rule made).</summary>
    private static int RuleDepth(AccountMetadata meta, Lead? lead)
    {
        var marker = lead?.CustomFieldsValues?.FirstOrDefault(v => v.FieldId == meta.MarkerFieldId)?.Values?.FirstOrDefault()?.Value;
        return Marker.TryParse(marker?.Type == JTokenType.String ? (string?)marker : null, out _, out _, out _, out var rule) && rule is not null ? rule.Depth : 0;
    }

    /// <summary>
    /// The checks of a repeat deal before anything is written (ARCHITECTURE §4 "Safety"): the deal still
    /// exists and still sits in the rule's stage; it is not itself a rule copy as deep as the loop guard
    /// allows; and, if the rule says so, its main contact has no open deal this rule made.
    /// </summary>
    private async Task<Reason?> WhyNotRepeat(AccountMetadata meta, Dictionary<long, Lead> sources, RepeatTrigger trigger)
    {
        if (!sources.TryGetValue(trigger.LeadId, out var lead)) return Reason.Of("repeat.deal_gone", "the deal no longer exists", ("lead_id", trigger.LeadId));
        if (lead.PipelineId != trigger.PipelineId || lead.StatusId != trigger.StatusId)
            return Reason.Of("repeat.left_stage", $"the deal left the rule's stage (it is now in stage {lead.StatusId} of pipeline {lead.PipelineId})",
                ("lead_id", lead.Id), ("status_id", lead.StatusId), ("pipeline_id", lead.PipelineId));
        var depth = RuleDepth(meta, lead);
        if (depth >= trigger.MaxDepth)
            return Reason.Of("repeat.loop_guard", $"loop guard: the deal is itself a repeat deal {depth} rule cop{(depth == 1 ? "y" : "ies")} deep (the limit is {trigger.MaxDepth})",
                ("depth", depth), ("max_depth", trigger.MaxDepth));
        if (trigger.SkipIfOpen && lead.Contacts.FirstOrDefault(c => c.IsMain == true) is { } main)
        {
            var contact = await Gate<Contact?>(new CallAmo(OpIds.Next(), "contact deals",
                async (c, ct) => await c.Contacts.GetAsync(main.Id, withLeads: true, ct)));
            var leadIds = contact?.Embedded?.Leads?.Select(l => l.Id).Where(id => id != lead.Id).ToList() ?? [];
            if (leadIds.Count > 0)
            {
                var deals = await Gate<List<Lead>>(new ReadLeads(OpIds.Next(), leadIds, LeadWith.None));
                var open = deals.FirstOrDefault(d => d.StatusId is not (PipelineStatus.WonStatusId or PipelineStatus.LostStatusId) &&
                    Marker.TryParse(d.CustomFieldsValues?.FirstOrDefault(v => v.FieldId == meta.MarkerFieldId)?.Values?.FirstOrDefault()?.Value?.ToString(), out _, out _, out _, out var rule) &&
                    rule?.RuleId == trigger.RuleId);
                if (open is not null) return Reason.Of("repeat.open_deal_exists", $"the main contact already has an open deal from this rule (#{open.Id})", ("lead_id", open.Id));
            }
        }
        return null;
    }

    private async Task CreateCopies(AccountMetadata _, Dictionary<long, Lead> sources)
    {
        for (var round = 0; ; round++)
        {
            var meta = _meta!; // a refused marker field renews it between rounds
            var attempted = Items().Where(x => !x.Item.IsSettled && x.Item.AttemptedAt.Count > 0).ToList();
            if (attempted.Count > 0) await Reconcile(meta, sources, attempted);

            var todo = Items().Where(x => !x.Item.IsSettled && sources.ContainsKey(x.Item.SourceId)).ToList();
            if (todo.Count == 0) return;
            if (round >= MaxValidationRounds + _markerRenewals)
            {
                await Journal(todo.Select(x => (IAccountEvent)new CopyFailed(_job.JobId, x.Key, Reason.Of("copy.refused_repeatedly", "amoCRM kept refusing the copy"))).ToList());
                return;
            }
            foreach (var chunk in Chunks(todo, _ => 1))
            {
                var drafts = chunk.Select(x => (x.Key, Draft: Draft(meta, sources[x.Item.SourceId], x.Key, x.Item, x.Sequence))).ToList();
                await Journal(new CopiesAttempted(_job.JobId, drafts.Select(d => d.Key).ToList(), Now));
                try
                {
                    var written = await Gate<List<WrittenEntity>>(new CreateLeads(OpIds.Next(), drafts.Select(d => d.Draft.Lead).ToList()));
                    var byRequest = written.Where(w => w.RequestId is not null).ToDictionary(w => w.RequestId!, w => w.Id);
                    await Journal(drafts.Where(d => byRequest.ContainsKey(d.Draft.Lead.RequestId!))
                        .Select(d => (IAccountEvent)new CopyCreated(_job.JobId, d.Key, byRequest[d.Draft.Lead.RequestId!], d.Draft.Skipped)).ToList());
                }
                catch (AmoValidationException v) when (RefusesMarker(meta, drafts, v))
                {
                    await RenewMarker(meta);
                    break; // the next round reconciles and sends the rest with the new marker field
                }
                catch (AmoValidationException v)
                {
                    await Refused(meta, drafts, v);
                }
            }
        }
    }

    /// <summary>Whether amoCRM refused the marker field itself (deleted in the account's settings, or its id changed).</summary>
    private static bool RefusesMarker(AccountMetadata meta, List<(string Key, LeadCopyDraft Draft)> drafts, AmoValidationException v) =>
        drafts.Any(d => v.ErrorsFor(d.Draft.Lead.RequestId!).Any(e => FieldOf(e.Path, d.Draft.Lead.CustomFieldsValues ?? [])?.FieldId == meta.MarkerFieldId));

    /// <summary>
    /// A copy is never created without its marker (ARCHITECTURE §3.10): when amoCRM refuses the marker field, the
    /// account's fields are read again (the marker field is created anew if it is gone), and the copies this job
    /// already made get the marker again (deleting a field deletes its values). The refused creates made nothing;
    /// the next round sends them with the new field.
    /// </summary>
    private async Task RenewMarker(AccountMetadata refused)
    {
        if (++_markerRenewals > MaxMarkerRenewals)
            throw new InvalidOperationException($"amoCRM keeps refusing the marker field (field {refused.MarkerFieldId}, {MaxMarkerRenewals} renewals)");
        var meta = await Context.Parent.Ask<AccountMetadata>(new RefreshJobMetadata(refused.MarkerFieldId), _settings.StepTimeout);
        _meta = meta;
        _log.Warning("account {0} job {1}: amoCRM refused the marker field {2}; the marker is now field {3}", _accountId, _job.JobId, refused.MarkerFieldId, meta.MarkerFieldId);
        await Remark(meta, Items().Where(x => x.Item.LeadId is not null).ToList());
    }

    /// <summary>Writes the marker (in the current marker field) onto copies that exist already.</summary>
    private async Task Remark(AccountMetadata meta, List<(string Key, CopyItemState Item, int Sequence)> copies)
    {
        var writes = copies.Select(x => new LeadWrite
        {
            Id = x.Item.LeadId,
            CustomFieldsValues = [new CustomFieldValues { FieldId = meta.MarkerFieldId, Values = [CustomFieldValue.Of(Marker.Value(meta.Referer, x.Item.SourceId, _job.JobId, x.Item.N, _rule))] }],
        }).ToList();
        foreach (var chunk in Chunks(writes, _ => 1)) await Gate<List<WrittenEntity>>(new UpdateLeads(OpIds.Next(), chunk));
    }

    /// <summary>
    /// amoCRM refused some copies: a refused field is left out (and reported) and the copy tried again;
    /// anything else fails that copy with amoCRM's words. The marker field is never left out (see <see cref="RenewMarker"/>).
    /// </summary>
    private async Task Refused(AccountMetadata meta, List<(string Key, LeadCopyDraft Draft)> drafts, AmoValidationException v)
    {
        var failed = new List<IAccountEvent>();
        foreach (var (key, draft) in drafts)
        {
            var errors = v.ErrorsFor(draft.Lead.RequestId!);
            if (errors.Count == 0) continue; // refused only because a neighbour was: the next round sends it again
            var values = draft.Lead.CustomFieldsValues ?? [];
            var fieldErrors = errors.Select(e => (Error: e, Field: FieldOf(e.Path, values))).ToList();
            if (fieldErrors.All(x => x.Field is { } f && f.FieldId is not null && f.FieldId != meta.MarkerFieldId))
            {
                var list = _refused.TryGetValue(key, out var existing) ? existing : _refused[key] = [];
                foreach (var (error, field) in fieldErrors)
                {
                    // the values sent carry only the field id: name and type for the report come from the account's fields
                    var known = meta.Field(field!.FieldId!.Value);
                    list.Add(SkippedField.Of(field.FieldId.Value, known?.Name ?? field.FieldName ?? field.FieldId.Value.ToString(CultureInfo.InvariantCulture),
                        known?.Type ?? field.FieldType ?? "", Reason.Of("field.value_refused", "amoCRM refused the value: " + error.Detail, ("detail", error.Detail))));
                }
            }
            else
            {
                var detail = string.Join("; ", errors.Select(e => e.Path is null ? e.Detail : $"{e.Path}: {e.Detail}"));
                failed.Add(new CopyFailed(_job.JobId, key, Reason.Of("copy.refused", "amoCRM refused the copy: " + detail, ("detail", detail))));
            }
        }
        await Journal(failed);
    }

    private static CustomFieldValues? FieldOf(string? path, List<CustomFieldValues> values)
    {
        // e.g. "custom_fields_values.3.values.0.value" → the 4th field value sent
        if (path is null || !path.StartsWith("custom_fields_values.", StringComparison.Ordinal)) return null;
        var parts = path.Split('.');
        return parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var i) && i < values.Count ? values[i] : null;
    }

    /// <summary>Finds copies whose create may have happened (lost answer, crash) by their marker field.</summary>
    private async Task Reconcile(AccountMetadata meta, Dictionary<long, Lead> sources, List<(string Key, CopyItemState Item, int Sequence)> attempted)
    {
        var from = attempted.SelectMany(x => x.Item.AttemptedAt).Min() - 300;
        var recent = await Gate<List<Lead>>(new CallAmo(OpIds.Next(), "reconcile copies",
            async (c, ct) => await c.Leads.ListAllAsync(new LeadFilter { CreatedAt = (from, null), Limit = 250 }, ct)));
        var wanted = attempted.ToDictionary(x => x.Key);
        var found = new List<IAccountEvent>();
        foreach (var lead in recent.OrderBy(l => l.Id))
        {
            var marker = lead.CustomFieldsValues?.FirstOrDefault(v => v.FieldId == meta.MarkerFieldId)?.Values?.FirstOrDefault()?.Value;
            if (!Marker.TryParse(marker?.Type == JTokenType.String ? (string?)marker : null, out var sourceId, out var jobId, out var n) || jobId != _job.JobId) continue;
            var key = CopyItemState.KeyOf(sourceId, n);
            if (!wanted.Remove(key, out var x)) continue;
            var skipped = sources.TryGetValue(sourceId, out var source) ? Draft(meta, source, key, x.Item, x.Sequence).Skipped : [];
            found.Add(new CopyCreated(_job.JobId, key, lead.Id, skipped));
        }
        if (_markerRenewals > 0 && wanted.Count > 0) found.AddRange(await AdoptUnmarked(meta, sources, recent, wanted));
        if (found.Count > 0) _log.Info("account {0} job {1}: found {2} copies made before an interruption", _accountId, _job.JobId, found.Count);
        await Journal(found);
    }

    /// <summary>
    /// After the marker field was deleted, a copy whose create answer was lost just before has lost its marker with
    /// the field: it is recognised by what the job sent (name, pipeline, made since the attempt, no marker), adopted
    /// and marked again, so that it is not made twice.
    /// </summary>
    private async Task<List<IAccountEvent>> AdoptUnmarked(AccountMetadata meta, Dictionary<long, Lead> sources, List<Lead> recent,
        Dictionary<string, (string Key, CopyItemState Item, int Sequence)> wanted)
    {
        var taken = _job.Items.Values.Where(i => i.LeadId is not null).Select(i => i.LeadId!.Value).Concat(_job.Spec.SourceLeadIds).ToHashSet();
        var unmarked = recent.Where(l => !taken.Contains(l.Id) && l.CustomFieldsValues?.Any(v => v.FieldId == meta.MarkerFieldId || string.Equals(v.FieldCode, Marker.FieldCode, StringComparison.OrdinalIgnoreCase)) != true)
            .OrderBy(l => l.Id).ToList();
        var adopted = new List<(string Key, CopyItemState Item, int Sequence, Lead Lead)>();
        foreach (var x in wanted.Values.OrderBy(x => x.Sequence))
        {
            if (!sources.TryGetValue(x.Item.SourceId, out var source)) continue;
            var draft = Draft(meta, source, x.Key, x.Item, x.Sequence).Lead;
            var since = x.Item.AttemptedAt.Min() - 5;
            var lead = unmarked.FirstOrDefault(l => l.Name == draft.Name && l.PipelineId == draft.PipelineId && (l.CreatedAt ?? 0) >= since);
            if (lead is null) continue;
            unmarked.Remove(lead);
            adopted.Add((x.Key, x.Item, x.Sequence, lead));
        }
        if (adopted.Count == 0) return [];
        _log.Warning("account {0} job {1}: {2} copies lost their marker with the deleted field; marking them again", _accountId, _job.JobId, adopted.Count);
        await Remark(meta, adopted.Select(a => (a.Key, new CopyItemState { SourceId = a.Item.SourceId, N = a.Item.N, LeadId = a.Lead.Id }, a.Sequence)).ToList());
        return adopted.Select(a => (IAccountEvent)new CopyCreated(_job.JobId, a.Key, a.Lead.Id,
            sources.TryGetValue(a.Item.SourceId, out var s) ? Draft(meta, s, a.Key, a.Item, a.Sequence).Skipped : [])).ToList();
    }

    private async Task LinkProducts(AccountMetadata meta, Dictionary<long, Lead> sources)
    {
        if (!Options.Content.Products) return;
        var todo = Items()
            .Where(x => x.Item.LeadId is not null && !x.Item.Done.ContainsKey(CopyStep.Products) && sources.ContainsKey(x.Item.SourceId))
            .Select(x => (x.Key, Links: Draft(meta, sources[x.Item.SourceId], x.Key, x.Item, x.Sequence).Products
                .Select(l => { l.EntityId = x.Item.LeadId; return l; }).ToList()))
            .Where(x => x.Links.Count > 0).ToList();
        foreach (var chunk in Chunks(todo, x => x.Links.Count))
        {
            try
            {
                await Gate<object?>(new LinkEntities(OpIds.Next(), chunk.SelectMany(x => x.Links).ToList()));
                await Journal(chunk.Select(x => (IAccountEvent)new CopyStepDone(_job.JobId, x.Key, CopyStep.Products, null)).ToList());
            }
            catch (AmoValidationException) when (chunk.Count > 1)
            {
                // find the copy whose products amoCRM refuses: one at a time
                foreach (var one in chunk) await LinkOne(one.Key, one.Links);
            }
            catch (AmoValidationException v)
            {
                await Journal(new CopyStepDone(_job.JobId, chunk[0].Key, CopyStep.Products, Reason.Of("products.not_linked", "products not linked: " + v.Message, ("detail", v.Message))));
            }
        }
    }

    private async Task LinkOne(string key, List<LinkWrite> links)
    {
        Reason? problem = null;
        try
        {
            await Gate<object?>(new LinkEntities(OpIds.Next(), links));
        }
        catch (AmoValidationException v)
        {
            problem = Reason.Of("products.not_linked", "products not linked: " + v.Message, ("detail", v.Message));
        }
        await Journal(new CopyStepDone(_job.JobId, key, CopyStep.Products, problem));
    }

    /// <summary>
    /// Whether a note we planned is already there: same deal, type and every param we send (amoCRM may give
    /// params back in another key order or with keys of its own, so only ours are compared).
    /// </summary>
    private static bool AlreadyWritten(NoteWrite planned, IEnumerable<Note> existing) =>
        existing.Any(e => e.EntityId == planned.EntityId && e.NoteType == planned.NoteType &&
                          (planned.Params?.Properties() ?? []).All(p => JToken.DeepEquals(p.Value, e.Params?[p.Name])));

    /// <summary>
    /// Drops from <paramref name="planned"/> what amoCRM already has, counting: each existing entity matches at most one
    /// planned one (and is used up), so of two alike planned entities a single existing one removes only one.
    /// </summary>
    internal static void RemoveWritten<TPlanned, TExisting, TKey>(List<TPlanned> planned, List<TExisting> existing, Func<TExisting, TKey> key, Func<TPlanned, TKey, bool> matches)
    {
        var left = existing.Select(key).ToList();
        planned.RemoveAll(p =>
        {
            var i = left.FindIndex(k => matches(p, k));
            if (i < 0) return false;
            left.RemoveAt(i);
            return true;
        });
    }

    private async Task WriteNotes(AccountMetadata meta, Dictionary<long, Lead> sources)
    {
        var todo = Items().Where(x => x.Item.LeadId is not null && !x.Item.Done.ContainsKey(CopyStep.Notes)).ToList();
        if (todo.Count == 0) return;
        var sourceNotes = Options.Content.Notes
            ? (await (_notesRead ??= NotesOf(todo.Select(x => x.Item.SourceId).Distinct().ToList())).All()).ToLookup(n => n.EntityId)
            : Enumerable.Empty<Note>().ToLookup(n => n.EntityId);
        var planned = todo.Select(x =>
        {
            var leadId = x.Item.LeadId!.Value;
            var notes = CopyPlan.Notes(sourceNotes[x.Item.SourceId], leadId);
            var (inSource, inCopy) = CopyPlan.TraceNotes(meta.Referer, x.Item.SourceId, leadId);
            notes.Add(inCopy);
            notes.Add(inSource);
            for (var i = 0; i < notes.Count; i++) notes[i].RequestId = $"{CopyPlan.RequestId(_job.JobId, x.Item.SourceId, x.Item.N)}:note{i}";
            return (x.Key, x.Item, Notes: notes);
        }).ToList();

        // notes of an interrupted attempt may exist already: write only the missing ones
        var retried = planned.Where(p => p.Item.Attempted.Contains(CopyStep.Notes)).ToList();
        if (retried.Count > 0)
        {
            // every note on a copy is this job's; on a source only the trace note can be: the sources' notes of that
            // type alone (a source's own history would cost a page of reads per ~60 sources)
            var traceType = CopyPlan.TraceNotes(meta.Referer, 0, 0).InSource.NoteType!;
            var sourceIds = retried.Select(p => p.Item.SourceId).Distinct().ToList();
            var onCopies = Observed(Gate<List<Note>>(new ReadNotes(OpIds.Next(), retried.Select(p => p.Item.LeadId!.Value).Distinct().ToList())));
            var onSources = Observed(Gate<List<Note>>(new CallAmo(OpIds.Next(), "trace notes", async (c, ct) => await c.Notes.GetForLeadsAsync(sourceIds, [traceType], ct))));
            var existing = (await onCopies).Concat(await onSources).ToList();
            foreach (var p in retried) RemoveWritten(p.Notes, existing, n => n, (planned, note) => AlreadyWritten(planned, [note]));
        }

        foreach (var chunk in Chunks(planned, p => p.Notes.Count))
        {
            await Journal(chunk.Where(p => !p.Item.Attempted.Contains(CopyStep.Notes))
                .Select(p => (IAccountEvent)new CopyStepAttempted(_job.JobId, p.Key, CopyStep.Notes)).ToList());
            var problems = new Dictionary<string, Reason>();
            var notes = chunk.SelectMany(p => p.Notes).ToList();
            if (notes.Count > 0)
            {
                try
                {
                    await Gate<List<WrittenEntity>>(new CreateNotes(OpIds.Next(), notes));
                }
                catch (AmoValidationException v)
                {
                    // leave out the notes amoCRM refuses (e.g. an attachment whose file is gone), write the rest
                    var refused = v.Errors.Select(e => e.RequestId).Where(r => r is not null).ToHashSet();
                    foreach (var p in chunk.Where(p => p.Notes.Any(n => refused.Contains(n.RequestId))))
                    {
                        var count = p.Notes.Count(n => refused.Contains(n.RequestId));
                        var detail = string.Join("; ", v.Errors.Select(e => e.Detail).Distinct());
                        problems[p.Key] = Reason.Of("notes.not_copied", $"{count} note(s) not copied: " + detail, ("count", count), ("detail", detail));
                    }
                    var rest = notes.Where(n => !refused.Contains(n.RequestId)).ToList();
                    if (rest.Count > 0 && rest.Count < notes.Count) await Gate<List<WrittenEntity>>(new CreateNotes(OpIds.Next(), rest));
                }
            }
            await Journal(chunk.Select(p => (IAccountEvent)new CopyStepDone(_job.JobId, p.Key, CopyStep.Notes, problems.GetValueOrDefault(p.Key))).ToList());
        }
    }

    private async Task CopyTasks(AccountMetadata meta, Dictionary<long, Lead> sources)
    {
        if (!Options.Content.OpenTasks && !Options.Content.FinishedTasks) return;
        var todo = Items().Where(x => x.Item.LeadId is not null && !x.Item.Done.ContainsKey(CopyStep.Tasks) && sources.ContainsKey(x.Item.SourceId)).ToList();
        if (todo.Count == 0) return;
        var sourceTasks = (await (_tasksRead ??= TasksOf(todo.Select(x => x.Item.SourceId).Distinct().ToList())).All()).ToLookup(t => t.EntityId);
        var planned = todo.Select(x =>
        {
            var responsible = Draft(meta, sources[x.Item.SourceId], x.Key, x.Item, x.Sequence).Lead.ResponsibleUserId;
            // planned against the job's acceptance time, not the clock: a retry must plan the same deadlines
            // (an overdue task moves to "tomorrow") or the look-up below misses tasks already created and repeats them
            var tasks = CopyPlan.Tasks(sourceTasks[x.Item.SourceId], x.Item.LeadId!.Value, responsible, Options.Content, DateTimeOffset.FromUnixTimeSeconds(PlannedAt));
            for (var i = 0; i < tasks.Count; i++) tasks[i].RequestId = $"{CopyPlan.RequestId(_job.JobId, x.Item.SourceId, x.Item.N)}:task{i}";
            return (x.Key, x.Item, Tasks: tasks);
        }).ToList();

        var retried = planned.Where(p => p.Item.Attempted.Contains(CopyStep.Tasks)).ToList();
        if (retried.Count > 0)
        {
            var existing = (await Gate<List<AmoTask>>(new ReadTasks(OpIds.Next(), retried.Select(p => p.Item.LeadId!.Value).ToList())))
                .Select(t => $"{t.EntityId}|{t.Text}|{t.CompleteTill}").ToList();
            // one existing task accounts for one planned task: two alike (same text and deadline) of which only one
            // was written before the interruption must leave the other to be written
            foreach (var p in retried) RemoveWritten(p.Tasks, existing, k => k, (t, k) => k == $"{t.EntityId}|{t.Text}|{t.CompleteTill}");
        }

        foreach (var chunk in Chunks(planned, p => p.Tasks.Count))
        {
            await Journal(chunk.Where(p => !p.Item.Attempted.Contains(CopyStep.Tasks))
                .Select(p => (IAccountEvent)new CopyStepAttempted(_job.JobId, p.Key, CopyStep.Tasks)).ToList());
            Reason? problem = null;
            var tasks = chunk.SelectMany(p => p.Tasks).ToList();
            if (tasks.Count > 0)
            {
                try
                {
                    await Gate<List<WrittenEntity>>(new CreateTasks(OpIds.Next(), tasks));
                }
                catch (AmoValidationException v)
                {
                    problem = Reason.Of("tasks.not_copied", "tasks not copied: " + v.Message, ("detail", v.Message));
                }
            }
            await Journal(chunk.Select(p => (IAccountEvent)new CopyStepDone(_job.JobId, p.Key, CopyStep.Tasks, problem)).ToList());
        }
    }

    private async Task HandleOriginals(Dictionary<long, Lead> sources)
    {
        var o = Options.Original;
        if (o.Mode == OriginalMode.Leave) return;
        var events = new List<IAccountEvent>();
        var writes = new List<LeadWrite>();
        foreach (var sourceId in _job.Spec.SourceLeadIds.Where(s => !_job.OriginalsHandled.ContainsKey(s)))
        {
            var copies = _job.Items.Values.Where(i => i.SourceId == sourceId).ToList();
            if (copies.All(i => i.LeadId is null))
                events.Add(new OriginalHandled(_job.JobId, sourceId, Reason.Of("original.no_copy", "left as it was: no copy was created")));
            else if (!sources.TryGetValue(sourceId, out var source))
                events.Add(new OriginalHandled(_job.JobId, sourceId, Reason.Of("original.gone", "the original no longer exists", ("lead_id", sourceId))));
            else
                writes.Add(o.Mode switch
                {
                    OriginalMode.Move => new LeadWrite { Id = sourceId, PipelineId = o.PipelineId, StatusId = o.StatusId },
                    OriginalMode.CloseWon => new LeadWrite { Id = sourceId, PipelineId = source.PipelineId, StatusId = PipelineStatus.WonStatusId },
                    _ => new LeadWrite { Id = sourceId, PipelineId = source.PipelineId, StatusId = PipelineStatus.LostStatusId, LossReasonId = o.LossReasonId },
                });
        }
        await Journal(events);
        foreach (var chunk in Chunks(writes, _ => 1))
        {
            try
            {
                await Gate<List<WrittenEntity>>(new UpdateLeads(OpIds.Next(), chunk));
                await Journal(chunk.Select(w => (IAccountEvent)new OriginalHandled(_job.JobId, w.Id!.Value, null)).ToList());
            }
            catch (AmoValidationException v)
            {
                await Journal(chunk.Select(w => (IAccountEvent)new OriginalHandled(_job.JobId, w.Id!.Value, Reason.Of("original.refused", "amoCRM refused to change the original: " + v.Message, ("detail", v.Message)))).ToList());
            }
        }
    }

    // ---- undo ---------------------------------------------------------------------------------

    /// <summary>
    /// amoCRM's API cannot delete deals (API-NOTES §4.4a): close each copy as lost in its own pipeline,
    /// unlink its contacts and company, and leave a note saying who rolled it back.
    /// </summary>
    private async Task UndoAll()
    {
        var meta = await Context.Parent.Ask<AccountMetadata>(GetJobMetadata.Instance, _settings.StepTimeout);
        var copies = _job.Items.Where(kv => kv.Value.LeadId is not null).ToList();
        var pending = copies.Where(kv => !(kv.Value.Done.ContainsKey(CopyStep.UndoClose) && kv.Value.Done.ContainsKey(CopyStep.UndoUnlink) && kv.Value.Done.ContainsKey(CopyStep.UndoNote))).ToList();
        if (pending.Count > 0)
        {
            var leads = (await Gate<List<Lead>>(new ReadLeads(OpIds.Next(), pending.Select(kv => kv.Value.LeadId!.Value).ToList(), LeadWith.Contacts)))
                .ToDictionary(l => l.Id);
            var gone = pending.Where(kv => !leads.ContainsKey(kv.Value.LeadId!.Value)).ToList();
            await Journal(gone.SelectMany(kv => new IAccountEvent[]
            {
                new CopyStepDone(_job.JobId, kv.Key, CopyStep.UndoClose, Reason.Of("undo.copy_gone", "the copy no longer exists (deleted in amoCRM)")),
                new CopyStepDone(_job.JobId, kv.Key, CopyStep.UndoUnlink, null),
                new CopyStepDone(_job.JobId, kv.Key, CopyStep.UndoNote, null),
            }).ToList());
            var present = pending.Where(kv => leads.ContainsKey(kv.Value.LeadId!.Value)).ToList();

            foreach (var chunk in Chunks(present.Where(kv => !kv.Value.Done.ContainsKey(CopyStep.UndoClose)), _ => 1))
            {
                var writes = chunk.Select(kv => new LeadWrite
                {
                    Id = kv.Value.LeadId, PipelineId = leads[kv.Value.LeadId!.Value].PipelineId, StatusId = PipelineStatus.LostStatusId,
                }).ToList();
                Reason? problem = null;
                try
                {
                    await Gate<List<WrittenEntity>>(new UpdateLeads(OpIds.Next(), writes));
                }
                catch (AmoValidationException v)
                {
                    problem = Reason.Of("undo.close_refused", "amoCRM refused to close the copy: " + v.Message, ("detail", v.Message));
                }
                await Journal(chunk.Select(kv => (IAccountEvent)new CopyStepDone(_job.JobId, kv.Key, CopyStep.UndoClose, problem)).ToList());
            }

            var unlinks = present.Where(kv => !kv.Value.Done.ContainsKey(CopyStep.UndoUnlink)).Select(kv =>
            {
                var lead = leads[kv.Value.LeadId!.Value];
                var links = lead.Contacts.Select(c => LinkWrite.Contact(lead.Id, c.Id, c.IsMain == true))
                    .Concat((lead.Embedded?.Companies ?? []).Select(c => LinkWrite.Company(lead.Id, c.Id))).ToList();
                return (kv.Key, Links: links);
            }).ToList();
            foreach (var chunk in Chunks(unlinks, u => u.Links.Count))
            {
                var links = chunk.SelectMany(u => u.Links).ToList();
                Reason? problem = null;
                if (links.Count > 0)
                {
                    try
                    {
                        await Gate<object?>(new LinkEntities(OpIds.Next(), links, Unlink: true));
                    }
                    catch (AmoValidationException v)
                    {
                        problem = Reason.Of("undo.unlink_refused", "contacts and company not unlinked: " + v.Message, ("detail", v.Message));
                    }
                }
                await Journal(chunk.Select(u => (IAccountEvent)new CopyStepDone(_job.JobId, u.Key, CopyStep.UndoUnlink, problem)).ToList());
            }

            var who = meta.User(_job.UndoBy ?? 0)?.Name ?? $"user {_job.UndoBy}";
            var notes = present.Where(kv => !kv.Value.Done.ContainsKey(CopyStep.UndoNote)).Select(kv => (kv.Key, kv.Value, Note: NoteWrite.ServiceMessage(kv.Value.LeadId!.Value, Service,
                $"Копия отменена: сделка закрыта откатом задания {_job.JobId} (запустил {who}). Удалить её можно в интерфейсе amoCRM."))).ToList();
            var retried = notes.Where(n => n.Value.Attempted.Contains(CopyStep.UndoNote)).ToList();
            if (retried.Count > 0)
            {
                var existing = await Gate<List<Note>>(new ReadNotes(OpIds.Next(), retried.Select(n => n.Value.LeadId!.Value).ToList()));
                notes.RemoveAll(n => n.Value.Attempted.Contains(CopyStep.UndoNote) && AlreadyWritten(n.Note, existing));
                await Journal(retried.Where(r => notes.All(n => n.Key != r.Key)).Select(r => (IAccountEvent)new CopyStepDone(_job.JobId, r.Key, CopyStep.UndoNote, null)).ToList());
            }
            foreach (var chunk in Chunks(notes, _ => 1))
            {
                await Journal(chunk.Where(n => !n.Value.Attempted.Contains(CopyStep.UndoNote)).Select(n => (IAccountEvent)new CopyStepAttempted(_job.JobId, n.Key, CopyStep.UndoNote)).ToList());
                for (var i = 0; i < chunk.Count; i++) chunk[i].Note.RequestId = $"undo:{chunk[i].Key}";
                await Gate<List<WrittenEntity>>(new CreateNotes(OpIds.Next(), chunk.Select(n => n.Note).ToList()));
                await Journal(chunk.Select(n => (IAccountEvent)new CopyStepDone(_job.JobId, n.Key, CopyStep.UndoNote, null)).ToList());
            }
        }
        await Journal(new UndoFinished(_job.JobId, Now));
        _log.Info("account {0} job {1} undone", _accountId, _job.JobId);
    }
}
