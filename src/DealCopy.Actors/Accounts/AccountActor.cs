using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient;
using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.OAuth;
using Newtonsoft.Json;

namespace DealCopy.Actors.Accounts;

/// <summary>What the account actors need from the host (one per node).</summary>
public sealed record AccountServices(AmoClient.AmoClient Client, AccountTokenStore Tokens, TokenVault Vault, ActorSettings Settings, TimeProvider Time, AccountRequestGates Gates)
{
    /// <summary>The clock widget tokens are checked with (their <c>iat</c> is compared with an account's wake time).</summary>
    public TimeProvider TokenTime { get; init; } = TimeProvider.System;

    /// <summary>The clock skew allowed on widget tokens (<c>Security:TokenClockSkewSeconds</c>).</summary>
    public TimeSpan TokenSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The node's instruments (the Host's <c>/metrics</c>); null = not measured (unit tests).</summary>
    public Telemetry.DealCopyMetrics? Metrics { get; init; }
}

// Messages between an account and its children: local only, never journaled.
internal sealed record PersistJobEvents(IReadOnlyList<IAccountEvent> Events) : INoSerializationVerificationNeeded;
internal sealed record Persisted : INoSerializationVerificationNeeded
{
    public static readonly Persisted Instance = new();
}
internal sealed record GetJobMetadata : INoSerializationVerificationNeeded
{
    public static readonly GetJobMetadata Instance = new();
}
/// <summary>amoCRM refused the marker field: load the account's fields again (creating the marker field anew if it is gone).</summary>
internal sealed record RefreshJobMetadata(long RefusedMarkerFieldId) : INoSerializationVerificationNeeded;
internal sealed record JobActorDone(string JobId) : INoSerializationVerificationNeeded;
/// <summary>A job's retries so far, its last error, and whether it waits for the account (the job view shows them).</summary>
internal sealed record JobHealth(string JobId, int Retries, JobError? LastError, bool Waiting) : INoSerializationVerificationNeeded;
/// <summary>The account was installed again or got new tokens: parked jobs try again now.</summary>
internal sealed record AccountBack : INoSerializationVerificationNeeded
{
    public static readonly AccountBack Instance = new();
}
internal sealed record WorkDone : INoSerializationVerificationNeeded
{
    public static readonly WorkDone Instance = new();
}

/// <summary>
/// One amoCRM account (a shard entity, persistent): its installation and tokens, its jobs and their
/// progress, a short-lived metadata cache, and the <see cref="AmoGateway"/> every amoCRM call of the
/// account goes through. Jobs run in <see cref="CopyJobActor"/> children and journal through here.
/// </summary>
public sealed class AccountActor : ReceivePersistentActor
{
    /// <summary><see cref="Sources"/>: the deals as the check read them, handed to the new job so that it need not read them again.</summary>
    private sealed record CopyValidated(StartCopy Command, CopyRejected? Rejection, IActorRef ReplyTo, IReadOnlyList<Lead>? Sources = null, PreviewReads? Previewed = null) : INoSerializationVerificationNeeded;

    /// <summary>What a preview read (the deals as the copy needs them, their notes and tasks when asked), kept briefly for the copy that follows.</summary>
    private sealed record PreviewReads(string Key, IReadOnlyList<Lead> Leads, IReadOnlyList<Note>? Notes, IReadOnlyList<AmoTask>? Tasks, DateTimeOffset At) : INoSerializationVerificationNeeded;

    private sealed record Due(string JobId) : INoSerializationVerificationNeeded;

    private sealed record SettingsChecked(SaveCopySettings Command, object? Refusal) : INoSerializationVerificationNeeded;

    private sealed record UndoChecked(UndoJob Command, object? Refusal) : INoSerializationVerificationNeeded;

    private sealed record ResumeJobs : INoSerializationVerificationNeeded
    {
        public static readonly ResumeJobs Instance = new();
    }

    private readonly long _accountId;
    private readonly AccountServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _children = [];
    private readonly Dictionary<string, JobHealth> _health = []; // not journaled: retries since the account woke
    private readonly Dictionary<string, ITimer> _timers = [];
    private readonly Dictionary<string, PreviewReads> _previewReads = []; // not journaled: a restart only costs the copy its reads
    private const int MaxPreviewReads = 16;
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(1);
    private AccountState _state = new();
    private IActorRef? _gateway;
    private readonly AmoWeather _weather; // what amoCRM's answers taught about this account's writes (not journaled)
    private Task<AccountMetadata>? _metadata;
    private AccountMetadata? _doubted; // the metadata a 403 cast doubt on: the fallback of its reload (OrElse)
    private int _sinceSnapshot;
    private int _outstanding; // answers still being worked out (amoCRM reads): no passivation meanwhile

    public AccountActor(string entityId, AccountServices services)
    {
        _accountId = long.Parse(entityId, CultureInfo.InvariantCulture);
        _services = services;
        _weather = services.Settings.Gateway.NewWeather();
        PersistenceId = "account-" + entityId;
        // wherever this account ran until a moment ago may have used its whole last second of amoCRM's budget
        services.Gates.For(_accountId).AssumeFull();

        Recover<SnapshotOffer>(offer => _state = (AccountState)offer.Snapshot);
        Recover<IAccountEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Installed) Activate();
            Self.Tell(ResumeJobs.Instance);
        });

        Command<InstallAccount>(Install);
        Command<SaveTokens>(Save);
        Command<StartCopy>(Start);
        Command<PreviewCopy>(Preview);
        Command<PreviewReads>(KeepPreviewReads);
        Command<CopyValidated>(Accept);
        Command<GetJob>(ViewJob);
        Command<JobHealth>(h => _health[h.JobId] = h);
        Command<UndoJob>(Undo);
        Command<ListJobs>(m => WhenInstalled(() =>
        {
            // both pages as of now, on the actor's thread (jobs change under it); the users list says which one is the viewer's
            var asAdmin = History.JobHistory.Page(_state.Jobs.Values, new History.HistoryViewer(m.ViewerUserId, IsAdmin: true), m.Offset, m.Limit, m.CreatedSince);
            var asUser = History.JobHistory.Page(_state.Jobs.Values, new History.HistoryViewer(m.ViewerUserId, IsAdmin: false), m.Offset, m.Limit, m.CreatedSince);
            Tracked(WithMetadata(meta =>
            {
                var (user, refusal) = Admission.Caller(m.ViewerUserId, meta);
                return (object?)refusal ?? (user!.IsAdmin ? asAdmin : asUser);
            })).PipeTo(Sender);
        }));
        Command<StartRepeatDeal>(Repeat);
        Command<UninstallAccount>(Uninstall);
        Command<Due>(d =>
        {
            _timers.Remove(d.JobId, out var timer);
            timer?.Dispose();
            if (_state.Jobs.TryGetValue(d.JobId, out var job) && job.IsRunning) StartChild(job);
        });
        Command<GetAccountMeta>(m => WhenInstalled(() => Tracked(MetaView(m.ForUserId)).PipeTo(Sender)));
        Command<GetCopySettings>(m => WhenInstalled(() => Tracked(SettingsView(m.UserId)).PipeTo(Sender)));
        Command<SaveCopySettings>(m => WhenInstalled(() => Tracked(CheckSettings(m)).PipeTo(Self, Sender)));
        Command<SettingsChecked>(SaveSettings);
        Command<AdmitDpKey>(m => WhenInstalled(() => Tracked(WithMetadata(meta =>
        {
            var (user, refusal) = Admission.Caller(m.UserId, meta);
            return (object?)refusal ?? (object?)Admission.ReadDpKey(user!) ?? new DpKeyAdmitted(m.AccountId);
        })).PipeTo(Sender)));
        Command<UndoChecked>(UndoAdmitted);
        Command<AmoAnsweredForbidden>(ForgetRights);
        Command<AuthorizeWidgetCall>(Authorize);
        Command<GetAccountStatus>(_ => Sender.Tell(new AccountStatusView(_accountId, _state.Installed, _state.Subdomain, _state.Referer, _state.Jobs.Values.Count(j => j.IsRunning))));
        Command<ListAccountJobs>(_ => Sender.Tell(new AccountJobsView(_accountId, _state.Jobs.Values.OrderBy(j => j, History.JobHistory.NewestFirst)
            .Select(j => new AccountJobRow(j.JobId, j.Status, j.CreatedAt, j.FinishedAt, j.Items.Count, j.Items.Values.Count(i => i.IsSettled))).ToList())));
        Command<PersistJobEvents>(PersistFromJob);
        Command<GetJobMetadata>(_ =>
        {
            if (_state.Installed) Tracked(Metadata()).PipeTo(Sender, failure: e => new Status.Failure(e));
            else Sender.Tell(new Status.Failure(new AccountNotInstalledException(_accountId)));
        });
        Command<RefreshJobMetadata>(m =>
        {
            if (!_state.Installed)
            {
                Sender.Tell(new Status.Failure(new AccountNotInstalledException(_accountId)));
                return;
            }
            // several jobs may report the same refusal: one reload serves them all
            if (_metadata is not { IsCompletedSuccessfully: true } current || current.Result.MarkerFieldId == m.RefusedMarkerFieldId)
                if (_metadata is not { IsCompleted: false }) _metadata = null;
            _doubted = null; // the job needs the fields as they are now, never the ones amoCRM just refused
            _log.Warning("account {0}: amoCRM refused the marker field {1}; reading the account's fields again", _accountId, m.RefusedMarkerFieldId);
            Tracked(Metadata()).PipeTo(Sender, failure: e => new Status.Failure(e));
        });
        Command<JobActorDone>(m =>
        {
            if (_children.Remove(m.JobId, out var child)) Context.Stop(child);
            ScheduleIdle();
        });
        Command<ResumeJobs>(_ => { ResumeRunningJobs(); ScheduleIdle(); });
        Command<WorkDone>(_ => { _outstanding--; ScheduleIdle(); });
        Command<ReceiveTimeout>(_ =>
        {
            // Passivate only when nothing runs (remember-entities restarts accounts that have work); the used
            // widget tokens are journaled, so the next wake remembers them.
            if (_state.Jobs.Values.Any(j => j.IsRunning) || _children.Count > 0 || _timers.Count > 0 || _outstanding > 0) return;
            Context.SetReceiveTimeout(null);
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("account {0}: snapshot failed: {1}", _accountId, f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("account {0}: journal cleanup failed: {1}", _accountId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static Props Props(string entityId, AccountServices services) =>
        Akka.Actor.Props.Create(() => new AccountActor(entityId, services));

    private void WhenInstalled(Action action)
    {
        if (_state.Installed) action();
        else Sender.Tell(new AccountNotInstalled(_accountId));
    }

    private void Activate()
    {
        _services.Tokens.Load(_accountId, _services.Vault.Open(_state.SealedTokens!));
        if (_gateway is null)
        {
            var client = _services.Client.ForAccount(_accountId, _state.Referer);
            _gateway = Context.ActorOf(AmoGateway.Props(client, _services.Settings.Gateway, _services.Gates.For(_accountId), _weather, _services.Metrics), "gateway");
        }
    }

    protected override void PreStart()
    {
        _services.Metrics?.AccountAwake();
        base.PreStart();
    }

    protected override void PostStop()
    {
        _services.Metrics?.AccountAsleep();
        foreach (var timer in _timers.Values) timer.Dispose();
        base.PostStop();
    }

    private void Authorize(AuthorizeWidgetCall m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountNotInstalled(_accountId));
            return;
        }
        var now = _services.TokenTime.GetUtcNow().ToUnixTimeSeconds();
        if (_state.TokenUsed(m.Jti, now))
        {
            _log.Warning("account {0}: a widget token was presented twice (jti {1}); refused as a replay", _accountId, m.Jti);
            Sender.Tell(new WidgetCallRefused(_accountId, "auth.token_replayed", "the token was already used (replay)"));
            return;
        }
        // journaled before the call goes on: a restart or a move to another node remembers it (Persist holds
        // the account's next messages meanwhile, so the same token cannot slip through twice)
        var sender = Sender;
        var keepUntil = m.ExpiresAt + (long)_services.TokenSkew.TotalSeconds + 1;
        Persist(new WidgetTokenUsed(m.Jti, keepUntil, now), e =>
        {
            _state.Apply(e);
            Snap();
            ScheduleIdle();
            if (m.UserId is not { } userId)
            {
                sender.Tell(new WidgetCallAuthorized(_accountId, _state.Referer!));
                return;
            }
            var referer = _state.Referer!;
            var accountId = _accountId;
            Tracked(WithMetadata(meta => Admission.Caller(userId, meta).Refusal ?? (object)new WidgetCallAuthorized(accountId, referer))).PipeTo(sender);
        });
    }

    /// <summary>Answers from the metadata (users and their rights); amoCRM being unreachable is an answer too.</summary>
    private async Task<object> WithMetadata(Func<AccountMetadata, object> answer)
    {
        try
        {
            return answer(await Metadata().ConfigureAwait(false));
        }
        catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException or InvalidCastException)
        {
            return new AmoUnavailable(_accountId, Describe(e));
        }
    }

    /// <summary>
    /// amoCRM answered 403 (the gateway saw it: an admission read, a job's step, anything): the users and rights
    /// cached with the metadata may be stale, so the next call reads them again instead of waiting out the TTL. A load
    /// still under way reads them at about this moment and is kept (its own users read may be what was refused). A
    /// job that got the 403 still parks as "waiting_for_account" (RetryPolicy).
    /// </summary>
    private void ForgetRights(AmoAnsweredForbidden m)
    {
        if (_metadata is not { IsCompletedSuccessfully: true } cached) return;
        _doubted = cached.Result;
        _metadata = null;
        _log.Info("account {0}: amoCRM answered 403 to {1}; the users and their rights are read again at the next call", _accountId, m.What);
    }

    private void Install(InstallAccount m)
    {
        var tokens = new AmoTokens(m.AccessToken, m.RefreshToken, m.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null);
        var sender = Sender;
        Persist(new AccountInstalled(m.Referer.Trim().ToLowerInvariant(), _services.Vault.Seal(tokens), Now()) { Platform = m.Platform }, e =>
        {
            var refererChanged = _state.Referer is not null && _state.Referer != e.Referer;
            _state.Apply(e);
            if (refererChanged && _gateway is not null)
            {
                Context.Stop(_gateway);
                _gateway = null;
            }
            _metadata = null;
            _doubted = null;
            Activate();
            Snap();
            foreach (var child in _children.Values) child.Tell(AccountBack.Instance);
            sender.Tell(new AccountInstalledReply(_accountId, _state.Subdomain!));
            ScheduleIdle();
        });
    }

    private void Save(SaveTokens m)
    {
        var sender = Sender;
        var tokens = new AmoTokens(m.AccessToken, m.RefreshToken, m.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null);
        Persist(new TokensRotated(_services.Vault.Seal(tokens), Now()), e =>
        {
            _state.Apply(e);
            Snap();
            foreach (var child in _children.Values) child.Tell(AccountBack.Instance);
            sender.Tell(new TokensSaved(_accountId));
        });
    }

    /// <summary>The journaled job plus what its runs went through: retries, the last error, a wait for the account.</summary>
    private JobView View(JobState job)
    {
        var view = job.ToView();
        if (!_health.TryGetValue(job.JobId, out var health)) return view;
        return view with
        {
            Status = health.Waiting && job.IsRunning && job.UndoRequestedAt is null ? "waiting_for_account" : view.Status,
            Retries = health.Retries,
            LastError = health.LastError,
        };
    }

    private static string JobIdFor(long accountId, string? idempotencyKey) =>
        idempotencyKey is null
            ? Guid.NewGuid().ToString("N")
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId}:{idempotencyKey}")))[..32];

    private void Start(StartCopy m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountNotInstalled(_accountId));
            return;
        }
        if (m.Spec.IdempotencyKey is not null && _state.Jobs.ContainsKey(JobIdFor(_accountId, m.Spec.IdempotencyKey)))
        {
            Sender.Tell(new CopyAccepted(JobIdFor(_accountId, m.Spec.IdempotencyKey), IsNew: false));
            return;
        }
        var replyTo = Sender;
        var previewed = TakePreviewReads(m.Spec);
        Tracked(Validate(m.Spec, Metadata(), _state.Access, _gateway!, _services.Settings.StepTimeout, previewed?.Leads)).PipeTo(Self,
            success: r => new CopyValidated(m, r.Rejection, replyTo, r.Sources, previewed),
            failure: e => new CopyValidated(m, Unavailable(e), replyTo));
    }

    /// <summary>
    /// A dry run: the same admission as <see cref="Start"/> (a refusal of the copy is a refusal of the preview), the same
    /// reads the job would make (the sources as the copy needs them; their notes and tasks only when the copy copies
    /// them), then <see cref="CopyPreview"/>. Nothing is journaled and nothing is written to amoCRM.
    /// </summary>
    private void Preview(PreviewCopy m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountNotInstalled(_accountId));
            return;
        }
        var metadata = Metadata();
        var gateway = _gateway!;
        var self = Self;
        var timeout = _services.Settings.StepTimeout;
        var budget = new CopyBudget(_services.Client.Options, _weather.WriteSize, _services.Settings.RequestsPerSecond);
        var now = _services.Time.GetUtcNow();
        var access = _state.Access;
        Tracked(Run()).PipeTo(Sender);

        async Task<object> Run()
        {
            try
            {
                var (rejection, sources) = await Validate(m.Spec, metadata, access, gateway, timeout).ConfigureAwait(false);
                if (rejection is not null) return rejection;
                var content = m.Spec.Options.Content;
                var notesRead = content.Notes ? gateway.Ask<GatewayResult>(new ReadNotes(OpIds.Next(), m.Spec.SourceLeadIds), timeout) : null;
                var tasksRead = content.OpenTasks || content.FinishedTasks ? gateway.Ask<GatewayResult>(new ReadTasks(OpIds.Next(), m.Spec.SourceLeadIds), timeout) : null;
                var notes = notesRead is null ? null : Value<List<Note>>(await notesRead.ConfigureAwait(false));
                var tasks = tasksRead is null ? null : Value<List<AmoTask>>(await tasksRead.ConfigureAwait(false));
                self.Tell(new PreviewReads(PreviewKey(m.Spec), sources!, notes, tasks, now));
                return CopyPreview.Of(m.Spec, await metadata.ConfigureAwait(false), sources!, notes, tasks, budget, now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Unavailable(e); // as the copy answers when amoCRM cannot be asked
            }
        }

        static T Value<T>(GatewayResult r) => r.Error is null ? (T)r.Value! : throw r.Error;
    }

    /// <summary>The reads of a preview are one user's look at these deals in this order, for the copy that follows.</summary>
    private static string PreviewKey(CopyJobSpec spec) =>
        spec.RequestedBy.ToString(CultureInfo.InvariantCulture) + ":" + string.Join(',', spec.SourceLeadIds.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    private void KeepPreviewReads(PreviewReads reads)
    {
        var now = _services.Time.GetUtcNow();
        foreach (var old in _previewReads.Values.Where(r => now - r.At > _services.Settings.MetadataTtl).Select(r => r.Key).ToList()) _previewReads.Remove(old);
        if (_previewReads.Count >= MaxPreviewReads) _previewReads.Remove(_previewReads.Values.MinBy(r => r.At)!.Key);
        _previewReads[reads.Key] = reads;
    }

    /// <summary>
    /// The reads of a preview of this very request by this user, if it was made within the metadata's lifetime
    /// (<c>Amo:MetadataTtlSeconds</c>, as fresh as the rights the copy is checked with); used once.
    /// </summary>
    private PreviewReads? TakePreviewReads(CopyJobSpec spec)
    {
        if (!_previewReads.Remove(PreviewKey(spec), out var reads)) return null;
        return _services.Time.GetUtcNow() - reads.At <= _services.Settings.MetadataTtl ? reads : null;
    }

    private static CopyRejected Unavailable(Exception e) =>
        new(503, "amo.unavailable", "amoCRM is unavailable", "amoCRM could not be asked to check the request: " + Describe(e), []);

    internal static string Describe(Exception e) => e switch
    {
        AggregateException { InnerException: { } inner } => Describe(inner),
        AmoApiException a => a.Message,
        AskTimeoutException => "no answer in time",
        _ => e.Message,
    };

    /// <summary>Admits a request before a job exists (<see cref="Admission"/>; docs/API.md "Refusals" and "Rights").</summary>
    /// <param name="read">the deals as a preview of the same request read them moments ago (LeadWith.ForCopy), or null to read them now</param>
    private static async Task<(CopyRejected? Rejection, IReadOnlyList<Lead>? Sources)> Validate(CopyJobSpec spec, Task<AccountMetadata> metadata, CopyAccess access, IActorRef gateway, TimeSpan timeout,
        IReadOnlyList<Lead>? read = null)
    {
        var meta = await metadata.ConfigureAwait(false);
        if (Admission.Copy(spec, meta, access, sources: null) is { } early) return (early, null);
        // read as the copy needs them: the job starts from this read instead of making the same call again
        var found = read ?? await ReadLeads(spec.SourceLeadIds, gateway, timeout, LeadWith.ForCopy).ConfigureAwait(false);
        return Admission.Copy(spec, meta, access, found) is { } refused ? (refused, null) : (null, found);
    }

    /// <summary>Reads deals for a decision (one batched read; a 403 from amoCRM makes the rights be read again: <see cref="ForgetRights"/>).</summary>
    private static async Task<List<Lead>> ReadLeads(IReadOnlyList<long> ids, IActorRef gateway, TimeSpan timeout, LeadWith with = LeadWith.None)
    {
        if (ids.Count == 0) return [];
        var read = await gateway.Ask<GatewayResult>(new ReadLeads(OpIds.Next(), ids, with), timeout).ConfigureAwait(false);
        if (read.Error is not null) throw read.Error;
        return (List<Lead>)read.Value!;
    }

    private void Accept(CopyValidated v)
    {
        if (v.Rejection is not null)
        {
            v.ReplyTo.Tell(v.Rejection);
            return;
        }
        var jobId = JobIdFor(_accountId, v.Command.Spec.IdempotencyKey);
        if (_state.Jobs.ContainsKey(jobId))
        {
            v.ReplyTo.Tell(new CopyAccepted(jobId, IsNew: false));
            return;
        }
        Persist(new JobAccepted(jobId, v.Command.Spec, Now()), e =>
        {
            _state.Apply(e);
            Snap();
            _services.Metrics?.JobAccepted("copy");
            StartChild(_state.Jobs[jobId], v.Sources, v.Previewed?.Notes, v.Previewed?.Tasks);
            v.ReplyTo.Tell(new CopyAccepted(jobId, IsNew: true));
        });
    }

    private void Undo(UndoJob m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountNotInstalled(_accountId));
            return;
        }
        if (!_state.Jobs.TryGetValue(m.JobId, out var job))
        {
            Sender.Tell(new JobNotFound(m.JobId));
            return;
        }
        if (job.FinishedAt is null)
        {
            Sender.Tell(new UndoRefused(409, "undo.job_running", "The job is still running; undo it when it has finished."));
            return;
        }
        var gateway = _gateway!;
        var timeout = _services.Settings.StepTimeout;
        var access = _state.Access;
        Tracked(Check()).PipeTo(Self, Sender, success: r => new UndoChecked(m, r));

        async Task<object?> Check()
        {
            try
            {
                var meta = await Metadata().ConfigureAwait(false);
                var (user, refusal) = Admission.Caller(m.ByUserId, meta);
                if (refusal is not null) return refusal;
                if (Admission.MayCopyAtAll(user!, access) is { } notAllowed) return notAllowed;
                var copies = Admission.IsAuthorOrAdmin(job, user!) ? null
                    : await ReadLeads(job.Items.Values.Where(i => i.LeadId is not null).Select(i => i.LeadId!.Value).ToList(), gateway, timeout).ConfigureAwait(false);
                return Admission.Undo(job, user!, meta, access, copies);
            }
            catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException)
            {
                return new AmoUnavailable(_accountId, Describe(e));
            }
        }
    }

    private void UndoAdmitted(UndoChecked c)
    {
        var m = c.Command;
        if (c.Refusal is not null)
        {
            Sender.Tell(c.Refusal);
            return;
        }
        if (!_state.Jobs.TryGetValue(m.JobId, out var job))
        {
            Sender.Tell(new JobNotFound(m.JobId));
            return;
        }
        if (job.UndoRequestedAt is not null)
        {
            Sender.Tell(new UndoAccepted(m.JobId));
            return;
        }
        var sender = Sender;
        Persist(new UndoRequested(m.JobId, m.ByUserId, Now()), e =>
        {
            _state.Apply(e);
            StartChild(job);
            sender.Tell(new UndoAccepted(m.JobId));
        });
    }

    /// <summary>A job's page: for the widget, only its author, an admin, or a user who may see all its deals (else it does not exist for them).</summary>
    private void ViewJob(GetJob m)
    {
        if (!_state.Jobs.TryGetValue(m.JobId, out var job))
        {
            Sender.Tell(new JobNotFound(m.JobId));
            return;
        }
        if (m.ForUserId is not { } userId || !_state.Installed)
        {
            Sender.Tell(View(job));
            return;
        }
        var gateway = _gateway!;
        var timeout = _services.Settings.StepTimeout;
        var view = View(job);
        Tracked(Check()).PipeTo(Sender);

        async Task<object> Check()
        {
            try
            {
                var meta = await Metadata().ConfigureAwait(false);
                var (user, refusal) = Admission.Caller(userId, meta);
                if (refusal is not null) return refusal;
                var sources = Admission.IsAuthorOrAdmin(job, user!) ? null : await ReadLeads(job.Spec.SourceLeadIds, gateway, timeout).ConfigureAwait(false);
                return Admission.MayViewJob(job, user!, meta, sources) ? view : new JobNotFound(m.JobId);
            }
            catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException)
            {
                return new AmoUnavailable(_accountId, Describe(e));
            }
        }
    }

    private async Task<object> SettingsView(long userId)
    {
        var access = _state.Access;
        var (by, at) = (_state.AccessChangedBy, _state.AccessChangedAt);
        return await WithMetadata(meta =>
        {
            var (user, refusal) = Admission.Caller(userId, meta);
            if (refusal is not null) return refusal;
            return new CopySettingsView(access,
                meta.Users.Where(u => u.CanBeResponsible).Select(u => new SettingsUserView(u.Id, u.Name ?? "", u.Rights?.GroupId ?? 0)).ToList(),
                meta.Groups.Where(g => g.Id != 0).Select(g => new SettingsGroupView(g.Id, g.Name ?? "")).Prepend(new SettingsGroupView(0, meta.Groups.FirstOrDefault(g => g.Id == 0)?.Name ?? "Отдел продаж")).ToList(),
                user!.IsAdmin, by, at);
        }).ConfigureAwait(false);
    }

    private async Task<SettingsChecked> CheckSettings(SaveCopySettings m)
    {
        var answer = await WithMetadata(meta =>
        {
            var (user, refusal) = Admission.Caller(m.UserId, meta);
            return (object?)refusal ?? Admission.SaveSettings(user!, meta, m.Access) ?? (object)"ok";
        }).ConfigureAwait(false);
        return new SettingsChecked(m, answer is "ok" ? null : answer);
    }

    private void SaveSettings(SettingsChecked c)
    {
        if (c.Refusal is not null)
        {
            Sender.Tell(c.Refusal);
            return;
        }
        var sender = Sender;
        var access = new CopyAccess(c.Command.Access.UserIds.Distinct().ToList(), c.Command.Access.GroupIds.Distinct().ToList());
        Persist(new CopyAccessChanged(access, c.Command.UserId, Now()), e =>
        {
            _state.Apply(e);
            Snap();
            _log.Info("account {0}: who may copy changed by user {1}: {2} user(s), {3} group(s)", _accountId, e.ByUserId, access.UserIds.Count, access.GroupIds.Count);
            Tracked(SettingsView(c.Command.UserId)).PipeTo(sender);
        });
    }

    /// <summary>
    /// A Digital Pipeline hook for a rule. The job id is derived from the event, so the same hook delivered
    /// again (or to another node: sharding sends it here) creates nothing new.
    /// </summary>
    private void Repeat(StartRepeatDeal m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountNotInstalled(_accountId));
            return;
        }
        var t = m.Trigger;
        var jobId = JobIdFor(_accountId, $"dp:{t.LeadId}:{t.PipelineId}:{t.StatusId}:{t.EventTime}:{t.RuleId}");
        if (_state.Jobs.TryGetValue(jobId, out var existing))
        {
            Sender.Tell(new RepeatAccepted(jobId, IsNew: false, existing.Spec.Trigger?.RunAt ?? 0));
            return;
        }
        var sender = Sender;
        var spec = new CopyJobSpec([t.LeadId], m.Options, RequestedBy: 0, IdempotencyKey: null) { Trigger = t };
        Persist(new JobAccepted(jobId, spec, Now()), e =>
        {
            _state.Apply(e);
            Snap();
            _services.Metrics?.JobAccepted("repeat");
            StartChild(_state.Jobs[jobId]);
            sender.Tell(new RepeatAccepted(jobId, IsNew: true, t.RunAt));
        });
    }

    private void Uninstall(UninstallAccount m)
    {
        if (!_state.Installed)
        {
            Sender.Tell(new AccountUninstalledReply(_accountId, 0));
            return;
        }
        var sender = Sender;
        var running = _state.Jobs.Values.Where(j => j.IsRunning).Select(j => j.JobId).ToList();
        foreach (var id in running)
        {
            if (_children.Remove(id, out var child)) Context.Stop(child);
            if (_timers.Remove(id, out var timer)) timer.Dispose();
        }
        var now = Now();
        var events = running.Select(id => (IAccountEvent)new JobCancelled(id, Reason.Of("job.disconnected", "DealCopy was disconnected from the account"), now))
            .Append(new AccountUninstalled(now)).ToList();
        var left = events.Count;
        PersistAll(events, e =>
        {
            _state.Apply(e);
            if (--left > 0) return;
            _services.Tokens.Forget(_accountId);
            if (_gateway is not null) Context.Stop(_gateway);
            _gateway = null;
            _metadata = null;
            _doubted = null;
            _log.Info("account {0}: uninstalled; {1} pending job(s) cancelled", _accountId, running.Count);
            sender.Tell(new AccountUninstalledReply(_accountId, running.Count));
            ScheduleIdle();
        });
    }

    private void PersistFromJob(PersistJobEvents m)
    {
        var sender = Sender;
        var left = m.Events.Count;
        if (left == 0)
        {
            sender.Tell(Persisted.Instance);
            return;
        }
        PersistAll(m.Events, e =>
        {
            _state.Apply(e);
            Measure(e);
            if (--left == 0)
            {
                Snap();
                sender.Tell(Persisted.Instance);
            }
        });
    }

    private void Measure(IAccountEvent e)
    {
        if (_services.Metrics is not { } metrics || e is not (JobFinished or JobCancelled) || !_state.Jobs.TryGetValue(((IJobEvent)e).JobId, out var job)) return;
        metrics.JobFinished(job.Status, _services.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(job.CreatedAt));
    }

    private void ResumeRunningJobs()
    {
        if (!_state.Installed) return;
        foreach (var job in _state.Jobs.Values.Where(j => j.IsRunning && !_children.ContainsKey(j.JobId)))
        {
            _log.Info("account {0}: resuming job {1}", _accountId, job.JobId);
            StartChild(job);
        }
    }

    private void StartChild(JobState job, IReadOnlyList<Lead>? sources = null, IReadOnlyList<Note>? notes = null, IReadOnlyList<AmoTask>? tasks = null)
    {
        if (_children.ContainsKey(job.JobId) || _timers.ContainsKey(job.JobId)) return;
        if (job.Spec.Trigger is { } trigger && job.UndoRequestedAt is null && trigger.RunAt > _services.Time.GetUtcNow().ToUnixTimeSeconds())
        {
            // a delayed repeat deal: wake up when it is due (the journal keeps it across restarts). System
            // timers cannot wait longer than ~49 days, and rules may delay a year: wake at least daily and look again.
            var self = Self;
            var wait = DateTimeOffset.FromUnixTimeSeconds(trigger.RunAt) - _services.Time.GetUtcNow();
            if (wait > MaxTimerWait) wait = MaxTimerWait;
            _timers[job.JobId] = _services.Time.CreateTimer(_ => self.Tell(new Due(job.JobId)), null, wait, Timeout.InfiniteTimeSpan);
            Context.SetReceiveTimeout(null);
            return;
        }
        var copy = JsonConvert.DeserializeObject<JobState>(JsonConvert.SerializeObject(job, Serialization.DealCopySerializer.Settings), Serialization.DealCopySerializer.Settings)!;
        // jobs stamp what they send to amoCRM with amoCRM's clock (real time); only scheduling uses the injectable one
        var child = Context.ActorOf(CopyJobActor.Props(_accountId, _state.Referer!, copy, _gateway!, _services.Settings, TimeProvider.System, sources, notes, tasks, _weather), "job-" + job.JobId);
        _children[job.JobId] = child;
        Context.SetReceiveTimeout(null);
    }

    /// <summary>Keeps the account awake until <paramref name="work"/> has finished (it stops its gateway otherwise).</summary>
    private Task<T> Tracked<T>(Task<T> work)
    {
        _outstanding++;
        var self = Self;
        work.ContinueWith(_ => self.Tell(WorkDone.Instance), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return work;
    }

    private void ScheduleIdle()
    {
        if (_children.Count == 0 && _timers.Count == 0 && _outstanding == 0 && !_state.Jobs.Values.Any(j => j.IsRunning))
            Context.SetReceiveTimeout(_services.Settings.IdlePassivation);
    }

    private void Snap()
    {
        if (++_sinceSnapshot < _services.Settings.SnapshotEvery) return;
        _sinceSnapshot = 0;
        SaveSnapshot(_state);
    }

    private long Now() => _services.Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Pipelines, lead fields (with the marker field, created on first use), users, loss reasons; cached briefly.</summary>
    private Task<AccountMetadata> Metadata()
    {
        if (_metadata is { IsCompletedSuccessfully: true } cached && Fresh(cached.Result)) return cached;
        if (_metadata is { IsCompleted: false } loading) return loading;
        var load = LoadMetadata(_accountId, _state.Referer!, _gateway!, _services);
        _metadata = _doubted is { } doubted && Fresh(doubted) ? OrElse(load, doubted) : load;
        _doubted = null;
        return _metadata;
    }

    private bool Fresh(AccountMetadata meta) => _services.Time.GetUtcNow() - meta.LoadedAt < _services.Settings.MetadataTtl;

    /// <summary>
    /// The reload after a 403 (<see cref="ForgetRights"/>) failing too — a blocked account refuses every request — answers
    /// from what was read before, as it would have until its TTL: the account's jobs and their "waiting_for_account" stay
    /// in view, and amoCRM is asked once per 403 seen, not once per call.
    /// </summary>
    private static async Task<AccountMetadata> OrElse(Task<AccountMetadata> load, AccountMetadata before)
    {
        try
        {
            return await load.ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException)
        {
            return before;
        }
    }

    private static async Task<AccountMetadata> LoadMetadata(long accountId, string referer, IActorRef gateway, AccountServices services)
    {
        async Task<T> Call<T>(string what, Func<AmoAccountClient, CancellationToken, Task<object?>> call)
        {
            var r = await gateway.Ask<GatewayResult>(new CallAmo(OpIds.Next(), what, call), services.Settings.StepTimeout).ConfigureAwait(false);
            if (r.Error is not null) throw r.Error;
            return (T)r.Value!;
        }

        var pipelines = await Call<List<Pipeline>>("pipelines", async (c, ct) => await c.Account.GetPipelinesAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        var fields = await Call<List<CustomField>>("lead fields", async (c, ct) => await c.CustomFields.GetAsync("leads", ct).ConfigureAwait(false)).ConfigureAwait(false);
        var marker = fields.FirstOrDefault(f => string.Equals(f.Code, Marker.FieldCode, StringComparison.OrdinalIgnoreCase));
        if (marker is null)
        {
            var created = await Call<List<CustomField>>("marker field", async (c, ct) => await c.CustomFields.CreateAsync(
                [new CustomFieldWrite { Name = Marker.FieldName, Type = Marker.FieldType, Code = Marker.FieldCode, IsApiOnly = true }], "leads", ct).ConfigureAwait(false)).ConfigureAwait(false);
            marker = created[0];
            fields.Add(marker);
        }
        List<User> users;
        try
        {
            users = await Call<List<User>>("users", async (c, ct) => await c.Account.GetUsersAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (AmoForbiddenException)
        {
            users = []; // the users list is admin-only (API-NOTES §9); the form then offers no user choice
        }
        var lossReasons = await Call<List<LossReason>>("loss reasons", async (c, ct) => await c.Leads.GetLossReasonsAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        // groups name the G right's scope and the settings' "who may copy" choices (any user's token may read them)
        var account = await Call<Account>("account groups", async (c, ct) => await c.Account.GetAsync(AccountWith.UsersGroups, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return new AccountMetadata(accountId, referer, pipelines, fields, users, lossReasons, marker.Id, services.Time.GetUtcNow())
        {
            Groups = account.Embedded?.UsersGroups ?? [],
        };
    }

    private async Task<object> MetaView(long? userId)
    {
        try
        {
            var meta = await Metadata().ConfigureAwait(false);
            IEnumerable<(Pipeline Pipeline, IReadOnlyList<PipelineStatus> Stages)> usable =
                meta.Pipelines.Where(p => p.IsArchive != true).Select(p => (p, (IReadOnlyList<PipelineStatus>)p.Statuses.Where(s => !s.IsUnsorted).ToList()));
            if (userId is { } uid)
            {
                var (user, refusal) = Admission.Caller(uid, meta);
                if (refusal is not null) return refusal;
                usable = Admission.UsableStages(user!, meta);
            }
            return new AccountMetaView(
                meta.AccountId,
                meta.Referer.Split('.')[0],
                usable.OrderBy(x => x.Pipeline.Sort).Select(x => new PipelineView(x.Pipeline.Id, x.Pipeline.Name ?? "", x.Pipeline.IsMain == true,
                    x.Stages.OrderBy(s => s.Sort).Select(s => new StatusView(s.Id, s.Name ?? "", s.Sort ?? 0, s.Color,
                        s.Id == PipelineStatus.WonStatusId ? "won" : s.Id == PipelineStatus.LostStatusId ? "lost" : "open")).ToList())).ToList(),
                meta.Users.Where(u => u.CanBeResponsible).Select(u => new UserView(u.Id, u.Name ?? "")).ToList(),
                meta.LeadFields.Where(f => f.Id != meta.MarkerFieldId).OrderBy(f => f.Sort).Select(f =>
                {
                    var reason = CopyPlan.WhyNot(f, new CustomFieldValues { Values = [new CustomFieldValue()] });
                    return new FieldView(f.Id, f.Name ?? "", f.Type ?? "", reason is null, reason?.Message) { ReasonCode = reason?.Code, ReasonParams = reason?.Params };
                }).ToList(),
                meta.LossReasons.Select(r => new LossReasonView(r.Id, r.Name ?? "")).ToList());
        }
        catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException)
        {
            return new AmoUnavailable(_accountId, Describe(e));
        }
    }
}
