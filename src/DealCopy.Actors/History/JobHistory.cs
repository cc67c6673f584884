using DealCopy.Actors.Accounts;
using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.History;

/// <summary>Who asks for the job history: the widget token's user and its admin flag.</summary>
public sealed record HistoryViewer(long UserId, bool IsAdmin);

/// <summary>
/// The account's job history as a viewer may see it (GET /api/v1/copies): pure, from the journaled jobs.
/// Newest first, paged, jobs older than the retention left out.
/// </summary>
public static class JobHistory
{
    /// <summary>
    /// Whether a viewer may see a job in the history: their own, or everyone's for an amoCRM admin.
    /// The one place the rule lives, so a fuller rights model can replace it.
    /// </summary>
    public static bool MayView(HistoryViewer viewer, JobState job) => viewer.IsAdmin || job.Spec.RequestedBy == viewer.UserId;

    /// <summary>A finished copy run whose copies were not rolled back yet, seen by someone who may see it.</summary>
    public static bool CanUndo(JobState job) =>
        job.FinishedAt is not null && job.UndoRequestedAt is null && job.CancelledReason is null
        && job.Items.Values.Any(i => i.LeadId is not null);

    /// <summary>Newest first: by the second it was accepted, then by acceptance order within that second.</summary>
    public static readonly IComparer<JobState> NewestFirst = Comparer<JobState>.Create((a, b) =>
        a.CreatedAt != b.CreatedAt ? b.CreatedAt.CompareTo(a.CreatedAt)
        : a.Seq != b.Seq ? b.Seq.CompareTo(a.Seq)
        : string.CompareOrdinal(b.JobId, a.JobId));

    public static JobPage Page(IEnumerable<JobState> jobs, HistoryViewer viewer, int offset, int limit, long createdSince)
    {
        var visible = jobs
            .Where(j => j.CreatedAt >= createdSince && MayView(viewer, j))
            .OrderBy(j => j, NewestFirst)
            .ToList();
        return new JobPage(visible.Count, offset, limit, visible.Skip(offset).Take(limit).Select(Summary).ToList());
    }

    public static JobSummaryView Summary(JobState job) => new(
        job.JobId,
        job.Status,
        job.Spec.Trigger is null ? "copy" : "repeat",
        job.Spec.RequestedBy,
        job.CreatedAt,
        job.FinishedAt,
        job.Spec.SourceLeadIds.Count,
        job.Items.Count,
        job.Items.Values.Count(i => i.IsSettled),
        job.Items.Values.Count(i => i.LeadId is not null),
        job.Items.Values.Count(i => i.Error is not null),
        CanUndo(job));
}
