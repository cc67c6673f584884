using System.Diagnostics;
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
    private sealed record CopyValidated(StartCopy Command, CopyRejected? Rejection, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    private sealed record Due(string JobId) : INoSerializationVerificationNeeded;

    private sealed record ResumeJobs : INoSerializationVerificationNeeded
    {
        public static readonly ResumeJobs Instance = new();
    }

    private readonly long _accountId;
    private readonly AccountServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _children = [];
    private readonly Dictionary<string, JobHealth> _health = []; // not journaled: retries since the account woke
    private readonly Dictionary<string, long> _seenTokens = [];
    private readonly long _awakeSince; // token clock: the memory of used jtis starts here
    private long? _lastWidgetCall; // Stopwatch timestamp
    private readonly Dictionary<string, ITimer> _timers = [];
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(1);
    private AccountState _state = new();
    private IActorRef? _gateway;
    private Task<AccountMetadata>? _metadata;
    private int _sinceSnapshot;
    private int _outstanding; // answers still being worked out (amoCRM reads): no passivation meanwhile

    public AccountActor(string entityId, AccountServices services)
    {
        _accountId = long.Parse(entityId, CultureInfo.InvariantCulture);
        _services = services;
        PersistenceId = "account-" + entityId;
        _awakeSince = services.TokenTime.GetUtcNow().ToUnixTimeSeconds();
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
        Command<CopyValidated>(Accept);
        Command<GetJob>(m => Sender.Tell(_state.Jobs.TryGetValue(m.JobId, out var job) ? View(job) : new JobNotFound(m.JobId)));
        Command<JobHealth>(h => _health[h.JobId] = h);
        Command<UndoJob>(Undo);
        Command<StartRepeatDeal>(Repeat);
        Command<UninstallAccount>(Uninstall);
        Command<Due>(d =>
        {
            _timers.Remove(d.JobId, out var timer);
            timer?.Dispose();
            if (_state.Jobs.TryGetValue(d.JobId, out var job) && job.IsRunning) StartChild(job);
        });
        Command<GetAccountMeta>(_ => WhenInstalled(() => Tracked(MetaView()).PipeTo(Sender)));
        Command<AuthorizeWidgetCall>(Authorize);
        Command<GetAccountStatus>(_ => Sender.Tell(new AccountStatusView(_accountId, _state.Installed, _state.Subdomain, _state.Referer, _state.Jobs.Values.Count(j => j.IsRunning))));
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
            // Passivate only when nothing runs (remember-entities restarts accounts that have work) and the
            // last widget call is older than the token clock skew: the jtis seen here are forgotten, but after
            // waking, a token issued before the wake (beyond the skew) is refused anyway.
            if (_state.Jobs.Values.Any(j => j.IsRunning) || _children.Count > 0 || _timers.Count > 0 || _outstanding > 0) return;
            if (_lastWidgetCall is { } last && Stopwatch.GetElapsedTime(last) <= _services.TokenSkew) return;
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
            _gateway = Context.ActorOf(AmoGateway.Props(client, _services.Settings.Gateway, _services.Gates.For(_accountId)), "gateway");
        }
    }

    protected override void PostStop()
    {
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
        _lastWidgetCall = Stopwatch.GetTimestamp();
        ForgetExpiredTokens();
        if (m.IssuedAt + (long)_services.TokenSkew.TotalSeconds < _awakeSince)
        {
            _log.Warning("account {0}: a widget token issued before this account's memory of used tokens began (jti {1}); refused as a possible replay", _accountId, m.Jti);
            Sender.Tell(new WidgetCallRefused(_accountId, "auth.token_stale", "the token is older than the service's memory of used tokens (it restarted or was idle); send the request again with a fresh token"));
            return;
        }
        if (!_seenTokens.TryAdd(m.Jti, m.ExpiresAt))
        {
            _log.Warning("account {0}: a widget token was presented twice (jti {1}); refused as a replay", _accountId, m.Jti);
            Sender.Tell(new WidgetCallRefused(_accountId, "auth.token_replayed", "the token was already used (replay)"));
            return;
        }
        Sender.Tell(new WidgetCallAuthorized(_accountId, _state.Referer!));
        ScheduleIdle();
    }

    /// <summary>A token past its expiry and the allowed skew is refused by the validator anyway: its jti can go.</summary>
    private void ForgetExpiredTokens()
    {
        var now = _services.TokenTime.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)_services.TokenSkew.TotalSeconds + 1;
        foreach (var jti in _seenTokens.Where(kv => kv.Value + skew < now).Select(kv => kv.Key).ToList()) _seenTokens.Remove(jti);
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
        Tracked(Validate(m.Spec, Metadata(), _gateway!, _services.Settings.StepTimeout)).PipeTo(Self, success: r => new CopyValidated(m, r, replyTo),
            failure: e => new CopyValidated(m, Unavailable(e), replyTo));
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

    /// <summary>Checks a request against the account before a job exists (docs/API.md "Refusals").</summary>
    private static async Task<CopyRejected?> Validate(CopyJobSpec spec, Task<AccountMetadata> metadata, IActorRef gateway, TimeSpan timeout)
    {
        var meta = await metadata.ConfigureAwait(false);
        var refusals = new List<Refusal>();
        void Refuse(string field, string code, string message, params (string, object?)[] parameters) => refusals.Add(Refusal.Of(field, code, message, parameters));
        var o = spec.Options;
        var pipeline = meta.Pipeline(o.TargetPipelineId);
        if (pipeline is null) Refuse("target.pipeline_id", "pipeline.not_found", $"pipeline {o.TargetPipelineId} does not exist", ("pipeline_id", o.TargetPipelineId));
        else if (pipeline.IsArchive == true) Refuse("target.pipeline_id", "pipeline.archived", $"pipeline {o.TargetPipelineId} is archived", ("pipeline_id", o.TargetPipelineId));
        else if (o.TargetStatusId is { } sid)
        {
            var status = pipeline.Statuses.FirstOrDefault(s => s.Id == sid);
            if (status is null) Refuse("target.status_id", "stage.not_found", $"stage {sid} is not in pipeline {pipeline.Id}", ("status_id", sid), ("pipeline_id", pipeline.Id));
            else if (status.IsUnsorted) Refuse("target.status_id", "stage.unsorted", "deals cannot be put into the Unsorted stage", ("status_id", sid));
        }
        if (o.Responsible.Mode != ResponsibleMode.Keep)
            for (var i = 0; i < o.Responsible.UserIds.Count; i++)
            {
                var id = o.Responsible.UserIds[i];
                var user = meta.User(id);
                if (meta.Users.Count > 0 && user is null) Refuse($"responsible.user_ids[{i}]", "user.not_found", $"user {id} does not exist", ("user_id", id));
                else if (user is { CanBeResponsible: false }) Refuse($"responsible.user_ids[{i}]", "user.inactive", $"user {id} is inactive or a free seat", ("user_id", id));
            }
        if (!o.Content.AllFields)
            for (var i = 0; i < o.Content.FieldIds.Count; i++)
                if (meta.Field(o.Content.FieldIds[i]) is null) Refuse($"copy.fields[{i}]", "field.not_found", $"field {o.Content.FieldIds[i]} does not exist", ("field_id", o.Content.FieldIds[i]));
        if (o.Original.Mode == OriginalMode.Move)
        {
            var target = o.Original.PipelineId is { } opid ? meta.Pipeline(opid) : null;
            var status = target?.Statuses.FirstOrDefault(s => s.Id == o.Original.StatusId);
            if (target is null) Refuse("original.pipeline_id", "pipeline.not_found", $"pipeline {o.Original.PipelineId} does not exist", ("pipeline_id", o.Original.PipelineId));
            else if (status is null || status.IsUnsorted) Refuse("original.status_id", "stage.not_movable", $"stage {o.Original.StatusId} is not a stage deals can be moved to in pipeline {target.Id}", ("status_id", o.Original.StatusId), ("pipeline_id", target.Id));
        }
        if (o.Original is { Mode: OriginalMode.CloseLost, LossReasonId: { } lr } && meta.LossReasons.All(r => r.Id != lr))
            Refuse("original.loss_reason_id", "loss_reason.not_found", $"loss reason {lr} does not exist", ("loss_reason_id", lr));
        if (NameTemplate.Problem(o.NameTemplate) is { } templateProblem) Refuse("name_template", "name_template.invalid", templateProblem);
        if (refusals.Count > 0) return new CopyRejected(422, "copy.not_applicable", "The copy cannot be done as asked", "Some settings do not fit this account.", refusals);

        var read = await gateway.Ask<GatewayResult>(new ReadLeads(OpIds.Next(), spec.SourceLeadIds, LeadWith.None), timeout).ConfigureAwait(false);
        if (read.Error is not null) throw read.Error;
        var found = (List<Lead>)read.Value!;
        var ids = found.Where(l => l.IsDeleted != true).Select(l => l.Id).ToHashSet();
        for (var i = 0; i < spec.SourceLeadIds.Count; i++)
            if (!ids.Contains(spec.SourceLeadIds[i])) Refuse($"lead_ids[{i}]", "deal.not_found", $"deal {spec.SourceLeadIds[i]} does not exist or was deleted", ("lead_id", spec.SourceLeadIds[i]));
        return refusals.Count > 0 ? new CopyRejected(404, "deals.not_found", "Source deals not found", "Some deals to copy do not exist.", refusals) : null;
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
            StartChild(_state.Jobs[jobId]);
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
        if (job.UndoRequestedAt is not null)
        {
            Sender.Tell(new UndoAccepted(m.JobId));
            return;
        }
        if (job.FinishedAt is null)
        {
            Sender.Tell(new UndoRefused(409, "undo.job_running", "The job is still running; undo it when it has finished."));
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
        var events = running.Select(id => (IAccountEvent)new JobCancelled(id, "DealCopy was disconnected from the account", now))
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
            if (--left == 0)
            {
                Snap();
                sender.Tell(Persisted.Instance);
            }
        });
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

    private void StartChild(JobState job)
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
        var child = Context.ActorOf(CopyJobActor.Props(_accountId, _state.Referer!, copy, _gateway!, _services.Settings, TimeProvider.System), "job-" + job.JobId);
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
        if (_metadata is { IsCompletedSuccessfully: true } cached && _services.Time.GetUtcNow() - cached.Result.LoadedAt < _services.Settings.MetadataTtl)
            return cached;
        if (_metadata is { IsCompleted: false } loading) return loading;
        _metadata = LoadMetadata(_accountId, _state.Referer!, _gateway!, _services);
        return _metadata;
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
        return new AccountMetadata(accountId, referer, pipelines, fields, users, lossReasons, marker.Id, services.Time.GetUtcNow());
    }

    private async Task<object> MetaView()
    {
        try
        {
            var meta = await Metadata().ConfigureAwait(false);
            return new AccountMetaView(
                meta.AccountId,
                meta.Referer.Split('.')[0],
                meta.Pipelines.Where(p => p.IsArchive != true).OrderBy(p => p.Sort).Select(p => new PipelineView(p.Id, p.Name ?? "", p.IsMain == true,
                    p.Statuses.Where(s => !s.IsUnsorted).OrderBy(s => s.Sort).Select(s => new StatusView(s.Id, s.Name ?? "", s.Sort ?? 0, s.Color,
                        s.Id == PipelineStatus.WonStatusId ? "won" : s.Id == PipelineStatus.LostStatusId ? "lost" : "open")).ToList())).ToList(),
                meta.Users.Where(u => u.CanBeResponsible).Select(u => new UserView(u.Id, u.Name ?? "")).ToList(),
                meta.LeadFields.Where(f => f.Id != meta.MarkerFieldId).OrderBy(f => f.Sort).Select(f =>
                {
                    var reason = CopyPlan.WhyNotCopyable(f, new CustomFieldValues { Values = [new CustomFieldValue()] });
                    return new FieldView(f.Id, f.Name ?? "", f.Type ?? "", reason is null, reason);
                }).ToList(),
                meta.LossReasons.Select(r => new LossReasonView(r.Id, r.Name ?? "")).ToList());
        }
        catch (Exception e) when (e is AmoApiException or AskTimeoutException or AggregateException)
        {
            return new AmoUnavailable(_accountId, Describe(e));
        }
    }
}
