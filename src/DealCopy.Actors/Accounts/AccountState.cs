using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.Accounts;

/// <summary>One copy of one source deal inside a job; its key is <c>"{sourceId}:{n}"</c>.</summary>
public sealed class CopyItemState
{
    public long SourceId { get; set; }
    public int N { get; set; }
    public List<long> AttemptedAt { get; set; } = [];
    public long? LeadId { get; set; }
    public Reason? Error { get; set; }
    public List<SkippedField> Skipped { get; set; } = [];
    public HashSet<CopyStep> Attempted { get; set; } = [];
    public Dictionary<CopyStep, Reason?> Done { get; set; } = [];

    public static string KeyOf(long sourceId, int n) => $"{sourceId}:{n}";

    public bool IsSettled => LeadId is not null || Error is not null;
}

/// <summary>A job's journaled state: the spec, each copy's progress, the originals, the undo.</summary>
public sealed class JobState
{
    public string JobId { get; set; } = "";
    public CopyJobSpec Spec { get; set; } = null!;
    public long CreatedAt { get; set; }
    /// <summary>The order the account accepted its jobs in (1, 2, …): breaks ties between jobs of the same second.</summary>
    public long Seq { get; set; }
    public long? FinishedAt { get; set; }
    /// <summary>Keyed by <see cref="CopyItemState.KeyOf"/>, in source order.</summary>
    public Dictionary<string, CopyItemState> Items { get; set; } = [];
    public Dictionary<long, Reason?> OriginalsHandled { get; set; } = [];
    public long? UndoBy { get; set; }
    public long? UndoRequestedAt { get; set; }
    public long? UndoFinishedAt { get; set; }
    public Reason? CancelledReason { get; set; }

    public bool IsRunning => FinishedAt is null || (UndoRequestedAt is not null && UndoFinishedAt is null);

    public static JobState Create(string jobId, CopyJobSpec spec, long at)
    {
        var job = new JobState { JobId = jobId, Spec = spec, CreatedAt = at };
        foreach (var source in spec.SourceLeadIds)
            for (var n = 1; n <= spec.Options.CopiesPerLead; n++)
                job.Items[CopyItemState.KeyOf(source, n)] = new CopyItemState { SourceId = source, N = n };
        return job;
    }

    /// <summary>Applies one of this job's events (the account and the job actor both keep a copy).</summary>
    public void Apply(IJobEvent e)
    {
        switch (e)
        {
            case CopiesAttempted a:
                foreach (var key in a.Keys) Items[key].AttemptedAt.Add(a.At);
                break;
            case CopyCreated c:
                Items[c.Key].LeadId = c.LeadId;
                Items[c.Key].Error = null;
                Items[c.Key].Skipped = c.Skipped.ToList();
                break;
            case CopyFailed f:
                Items[f.Key].Error = f.Reason;
                break;
            case CopyStepAttempted s:
                Items[s.Key].Attempted.Add(s.Step);
                break;
            case CopyStepDone d:
                Items[d.Key].Done[d.Step] = d.Problem;
                break;
            case OriginalHandled o:
                OriginalsHandled[o.SourceId] = o.Problem;
                break;
            case JobFinished f:
                FinishedAt = f.At;
                break;
            case UndoRequested u:
                UndoBy = u.ByUserId;
                UndoRequestedAt = u.At;
                break;
            case UndoFinished u:
                UndoFinishedAt = u.At;
                break;
            case JobCancelled c:
                CancelledReason = c.Reason;
                FinishedAt = c.At;
                break;
        }
    }

    public string Status =>
        CancelledReason is not null ? "cancelled"
        : UndoRequestedAt is not null ? (UndoFinishedAt is null ? "undoing" : "undone")
        : FinishedAt is null ? (Items.Values.Any(i => i.AttemptedAt.Count > 0) ? "running" : Spec.Trigger is { RunAt: var due } && due > CreatedAt ? "scheduled" : "accepted")
        : Items.Values.All(i => i.Error is not null) ? "failed"
        : Items.Values.Any(i => i.Error is not null || i.Done.Values.Any(p => p is not null)) || OriginalsHandled.Values.Any(p => p is not null)
            ? "completed_with_errors" : "completed";

    public JobView ToView()
    {
        var deals = Spec.SourceLeadIds.Select(source =>
        {
            var items = Items.Values.Where(i => i.SourceId == source).OrderBy(i => i.N).ToList();
            var problems = items.Where(i => i.Error is not null).Select(i => ProblemView.Of(i.N, i.Error!))
                .Concat(items.SelectMany(i => i.Done.Where(d => d.Value is not null && d.Key < CopyStep.UndoClose).Select(d => ProblemView.Of(i.N, d.Value!))))
                .ToList();
            if (OriginalsHandled.TryGetValue(source, out var originalProblem) && originalProblem is not null) problems.Add(ProblemView.Of(null, originalProblem));
            var status = items.All(i => i.IsSettled) ? (items.Any(i => i.Error is not null) ? "failed" : "done") : "pending";
            return new DealProgressView(
                source, status,
                items.Where(i => i.LeadId is not null).Select(i => new CopyView(i.N, i.LeadId!.Value)).ToList(),
                items.SelectMany(i => i.Skipped).DistinctBy(s => s.FieldId).ToList(),
                problems.Select(p => p.Text).ToList(),
                problems);
        }).ToList();
        UndoView? undo = null;
        if (UndoRequestedAt is not null)
        {
            var copies = Items.Values.Where(i => i.LeadId is not null).ToList();
            undo = new UndoView(
                UndoFinishedAt is null ? "running" : "done",
                UndoBy ?? 0,
                copies.Where(i => i.Done.TryGetValue(CopyStep.UndoClose, out var p) && p is null).Select(i => i.LeadId!.Value).ToList(),
                copies.SelectMany(i => i.Done.Where(d => d.Key >= CopyStep.UndoClose && d.Value is not null)
                    .Select(d => new UndoProblemView(i.LeadId!.Value, d.Value!.Message, d.Value.Code, d.Value.Params))).ToList());
        }
        return new JobView(JobId, Status, CreatedAt, FinishedAt, Items.Count, Items.Values.Count(i => i.IsSettled), deals, undo)
        {
            Reason = CancelledReason?.Message,
            ReasonCode = CancelledReason?.Code,
            ReasonParams = CancelledReason?.Params,
            RunAt = Spec.Trigger?.RunAt,
        };
    }
}

/// <summary>An account's journaled state. <see cref="Apply"/> is the only way it changes.</summary>
public sealed class AccountState : IDealCopyMessage
{
    public string? Referer { get; set; }
    public string? SealedTokens { get; set; }
    public long? InstalledAt { get; set; }
    public string? Platform { get; set; }
    public Dictionary<string, JobState> Jobs { get; set; } = [];
    /// <summary>How many jobs the account has accepted; the last one's <see cref="JobState.Seq"/>.</summary>
    public long JobsAccepted { get; set; }
    /// <summary>"Who may copy" (docs/API.md "Settings"); empty = everyone whose amoCRM rights allow it.</summary>
    public CopyAccess Access { get; set; } = CopyAccess.Everyone;
    public long? AccessChangedBy { get; set; }
    public long? AccessChangedAt { get; set; }
    /// <summary>Widget token ids already used → until when they are remembered (Unix seconds).</summary>
    public Dictionary<string, long> UsedTokens { get; set; } = [];

    public bool Installed => Referer is not null && SealedTokens is not null;

    public string? Subdomain => Referer?.Split('.')[0];

    /// <summary>Whether a widget token with this <c>jti</c> was used and is still remembered at <paramref name="now"/>.</summary>
    public bool TokenUsed(string jti, long now) => UsedTokens.TryGetValue(jti, out var until) && until >= now;

    public void Apply(IAccountEvent e)
    {
        switch (e)
        {
            case WidgetTokenUsed w:
                foreach (var old in UsedTokens.Where(kv => kv.Value < w.At).Select(kv => kv.Key).ToList()) UsedTokens.Remove(old);
                UsedTokens[w.Jti] = w.KeepUntil;
                break;
            case AccountInstalled i:
                Referer = i.Referer;
                SealedTokens = i.SealedTokens;
                InstalledAt = i.At;
                Platform = i.Platform;
                break;
            case TokensRotated t:
                SealedTokens = t.SealedTokens;
                break;
            case AccountUninstalled:
                SealedTokens = null;
                InstalledAt = null;
                break;
            case CopyAccessChanged c:
                Access = c.Access;
                AccessChangedBy = c.ByUserId;
                AccessChangedAt = c.At;
                break;
            case JobAccepted j:
                var accepted = JobState.Create(j.JobId, j.Spec, j.At);
                accepted.Seq = ++JobsAccepted;
                Jobs[j.JobId] = accepted;
                break;
            case IJobEvent je:
                Jobs[je.JobId].Apply(je);
                break;
        }
    }
}
