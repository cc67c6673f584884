using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;

namespace DealCopy.Actors.Accounts;

/// <summary>
/// Whether a widget call may be done, as one pure decision (ARCHITECTURE §3.9, docs/API.md "Rights"): the
/// request, the account's metadata (its users with their rights), "who may copy" and, once read, the deals
/// involved → accepted (null) or refusals, each with a stable code, the field and parameters. No I/O: the
/// account actor gathers the inputs and the preview asks the same questions.
/// </summary>
public static class Admission
{
    private static Refusal R(string field, string code, string message, params (string, object?)[] parameters) => Refusal.Of(field, code, message, parameters);

    private static AccessRefused Forbidden(string code, string title, string detail, params Refusal[] refusals) =>
        new(403, code, title, detail, refusals.Length == 0 ? [R("", code, detail)] : refusals);

    /// <summary>The group of a deal's responsible user (amoCRM's G letter), from the users list.</summary>
    public static Func<long, long> GroupOf(AccountMetadata meta)
    {
        var groups = meta.Users.ToDictionary(u => u.Id, u => u.Rights?.GroupId ?? 0);
        return id => groups.TryGetValue(id, out var g) ? g : -1; // a user not in the account is in no group
    }

    /// <summary>Every call: the caller must be a user of the account, active, and not a free seat.</summary>
    public static (UserAccess? User, AccessRefused? Refusal) Caller(long userId, AccountMetadata meta)
    {
        if (meta.Users.Count == 0)
            return (null, Forbidden("rights.unavailable", "Rights cannot be checked",
                "DealCopy cannot read the account's users and their rights (amoCRM allows it only to an administrator's token); ask an administrator to reinstall DealCopy."));
        if (meta.User(userId) is not { } user)
            return (null, Forbidden("rights.user_unknown", "Not a user of this account", $"user {userId} is not a user of this amoCRM account", R("", "rights.user_unknown", $"user {userId} is not a user of this amoCRM account", ("user_id", userId))));
        var access = UserAccess.Of(user);
        if (!access.IsActive)
            return (access, Forbidden("rights.user_inactive", "The user is deactivated", $"user {userId} is deactivated in amoCRM", R("", "rights.user_inactive", $"user {userId} is deactivated in amoCRM", ("user_id", userId))));
        if (access.IsFree)
            return (access, Forbidden("rights.user_free", "A free seat cannot copy", $"user {userId} is a free user (no deal rights in amoCRM)", R("", "rights.user_free", $"user {userId} is a free user (no deal rights in amoCRM)", ("user_id", userId))));
        return (access, null);
    }

    /// <summary>"Who may copy" (users and groups) holds for copy, undo and preview.</summary>
    public static AccessRefused? MayCopyAtAll(UserAccess user, CopyAccess access) =>
        access.Allows(user.Id, user.GroupId) ? null
            : Forbidden("rights.not_allowed", "You may not copy deals", "The account's administrator has not allowed this user to copy deals (DealCopy settings, \"who may copy\").",
                R("", "rights.not_allowed", "not in \"who may copy\"", ("user_id", user.Id)));

    /// <summary>
    /// A copy request: the caller, who may copy, the add right, the target stage's rights, the request against the
    /// account; with <paramref name="sources"/> (the deals as read) also the view right on each (a deal the user may
    /// not see is refused exactly like a missing one) and the edit right when the original is moved or closed.
    /// </summary>
    public static CopyRejected? Copy(CopyJobSpec spec, AccountMetadata meta, CopyAccess access, IReadOnlyList<Lead>? sources)
    {
        var (user, callerRefusal) = Caller(spec.RequestedBy, meta);
        if (callerRefusal is not null) return Rejected(callerRefusal);
        if (MayCopyAtAll(user!, access) is { } notAllowed) return Rejected(notAllowed);
        if (user!.Add != "A")
            return new CopyRejected(403, "rights.add_denied", "You may not create deals", "Your amoCRM role does not allow creating deals, so copies cannot be made for you.",
                [R("", "rights.add_denied", "the add right on deals is D", ("user_id", user.Id))]);

        var refusals = new List<Refusal>();
        void Refuse(string field, string code, string message, params (string, object?)[] parameters) => refusals.Add(R(field, code, message, parameters));
        var o = spec.Options;
        var pipeline = meta.Pipeline(o.TargetPipelineId);
        if (pipeline is null) Refuse("target.pipeline_id", "pipeline.not_found", $"pipeline {o.TargetPipelineId} does not exist", ("pipeline_id", o.TargetPipelineId));
        else if (pipeline.IsArchive == true) Refuse("target.pipeline_id", "pipeline.archived", $"pipeline {o.TargetPipelineId} is archived", ("pipeline_id", o.TargetPipelineId));
        else if (o.TargetStatusId is { } sid)
        {
            var status = pipeline.Statuses.FirstOrDefault(s => s.Id == sid);
            if (status is null) Refuse("target.status_id", "stage.not_found", $"stage {sid} is not in pipeline {pipeline.Id}", ("status_id", sid), ("pipeline_id", pipeline.Id));
            else if (status.IsUnsorted) Refuse("target.status_id", "stage.unsorted", "deals cannot be put into the Unsorted stage", ("status_id", sid));
            else if (!user.MayPutInto(pipeline.Id, sid)) Refuse("target.status_id", "rights.stage_denied", $"your amoCRM role may not put deals into stage {sid} of pipeline {pipeline.Id}", ("status_id", sid), ("pipeline_id", pipeline.Id));
        }
        if (o.Responsible.Mode != ResponsibleMode.Keep)
            for (var i = 0; i < o.Responsible.UserIds.Count; i++)
            {
                var id = o.Responsible.UserIds[i];
                var responsible = meta.User(id);
                if (responsible is null) Refuse($"responsible.user_ids[{i}]", "user.not_found", $"user {id} does not exist", ("user_id", id));
                else if (!responsible.CanBeResponsible) Refuse($"responsible.user_ids[{i}]", "user.inactive", $"user {id} is inactive or a free seat", ("user_id", id));
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
            else if (!MayMoveInto(user, target.Id, status.Id)) Refuse("original.status_id", "rights.stage_denied", $"your amoCRM role may not put deals into stage {status.Id} of pipeline {target.Id}", ("status_id", status.Id), ("pipeline_id", target.Id));
        }
        if (o.Original is { Mode: OriginalMode.CloseLost, LossReasonId: { } lr } && meta.LossReasons.All(r => r.Id != lr))
            Refuse("original.loss_reason_id", "loss_reason.not_found", $"loss reason {lr} does not exist", ("loss_reason_id", lr));
        if (NameTemplate.Problem(o.NameTemplate) is { } templateProblem) Refuse("name_template", "name_template.invalid", templateProblem);
        if (refusals.Count > 0) return NotApplicable(refusals);
        if (sources is null) return null;

        var groupOf = GroupOf(meta);
        var visible = sources.Where(l => l.IsDeleted != true && user.MayView(l, groupOf)).ToDictionary(l => l.Id);
        for (var i = 0; i < spec.SourceLeadIds.Count; i++)
            if (!visible.ContainsKey(spec.SourceLeadIds[i]))
                Refuse($"lead_ids[{i}]", "deal.not_found", $"deal {spec.SourceLeadIds[i]} does not exist or was deleted", ("lead_id", spec.SourceLeadIds[i]));
        if (refusals.Count > 0) return new CopyRejected(404, "deals.not_found", "Source deals not found", "Some deals to copy do not exist.", refusals);

        // the stage each copy lands in when the request leaves it to the source (same stage, or the first one)
        foreach (var stage in spec.SourceLeadIds.Select(id => CopyPlan.TargetStatus(visible[id], pipeline!, o.TargetStatusId)).Distinct())
            if (!user.MayPutInto(pipeline!.Id, stage))
                Refuse("target.status_id", "rights.stage_denied", $"your amoCRM role may not put deals into stage {stage} of pipeline {pipeline.Id}", ("status_id", stage), ("pipeline_id", pipeline.Id));
        if (refusals.Count > 0) return NotApplicable(refusals);

        if (o.Original.Mode == OriginalMode.Leave) return null;
        for (var i = 0; i < spec.SourceLeadIds.Count; i++)
        {
            var lead = visible[spec.SourceLeadIds[i]];
            if (!user.MayEdit(lead, groupOf))
                Refuse($"lead_ids[{i}]", "rights.edit_denied", $"your amoCRM role may not change deal {lead.Id}, so it cannot be moved or closed", ("lead_id", lead.Id));
            else
            {
                // where the original goes, the user must still hold the right on it (strict reading: docs/API.md "Rights")
                var (pid, sid) = o.Original.Mode == OriginalMode.Move ? (o.Original.PipelineId!.Value, o.Original.StatusId!.Value)
                    : (lead.PipelineId ?? 0, o.Original.Mode == OriginalMode.CloseWon ? PipelineStatus.WonStatusId : PipelineStatus.LostStatusId);
                if (!user.MayEditIn(lead, pid, sid, groupOf))
                    Refuse($"lead_ids[{i}]", "rights.stage_denied", $"your amoCRM role would not let you change deal {lead.Id} in stage {sid} of pipeline {pid}", ("lead_id", lead.Id), ("status_id", sid), ("pipeline_id", pid));
            }
        }
        return refusals.Count == 0 ? null
            : new CopyRejected(403, "rights.edit_denied", "You may not change these deals", "The original deals would be moved or closed, and your amoCRM role does not allow changing some of them.", refusals);
    }

    /// <summary>Moving a deal into a stage: neither view nor edit denied there.</summary>
    public static bool MayMoveInto(UserAccess user, long pipelineId, long statusId) =>
        user.ViewIn(pipelineId, statusId) != "D" && user.EditIn(pipelineId, statusId) != "D";

    private static CopyRejected NotApplicable(IReadOnlyList<Refusal> refusals) =>
        new(422, "copy.not_applicable", "The copy cannot be done as asked", "Some settings do not fit this account.", refusals);

    private static CopyRejected Rejected(AccessRefused r) => new(r.Status, r.Code, r.Title, r.Detail, r.Refusals);

    /// <summary>Whether undo or viewing a job needs its deals read: not for the job's author or an admin.</summary>
    public static bool IsAuthorOrAdmin(JobState job, UserAccess user) => user.IsAdmin || (job.Spec.RequestedBy == user.Id && user.Id != 0);

    /// <summary>
    /// Undo: who may copy holds; then the job's author, an admin, or a user who may edit every copy
    /// (<paramref name="copies"/> as read; null when not read, for the author or an admin).
    /// </summary>
    public static AccessRefused? Undo(JobState job, UserAccess user, AccountMetadata meta, CopyAccess access, IReadOnlyList<Lead>? copies)
    {
        if (MayCopyAtAll(user, access) is { } notAllowed) return notAllowed;
        if (IsAuthorOrAdmin(job, user)) return null;
        var groupOf = GroupOf(meta);
        var ids = job.Items.Values.Where(i => i.LeadId is not null).Select(i => i.LeadId!.Value).ToList();
        var editable = (copies ?? []).Where(l => user.MayEdit(l, groupOf)).Select(l => l.Id).ToHashSet();
        var denied = ids.Where(id => !editable.Contains(id)).ToList();
        return denied.Count == 0 ? null
            : Forbidden("rights.undo_denied", "You may not undo this job",
                "Only the job's author, an administrator, or a user whose amoCRM role may change every copy can undo it.",
                denied.Select(id => R("", "rights.undo_denied", $"your amoCRM role may not change copy {id}", ("lead_id", id), ("job_id", job.JobId))).ToArray());
    }

    /// <summary>A job's page: its author, an admin, or a user who may view every one of its source deals (as read).</summary>
    public static bool MayViewJob(JobState job, UserAccess user, AccountMetadata meta, IReadOnlyList<Lead>? sources)
    {
        if (IsAuthorOrAdmin(job, user)) return true;
        var groupOf = GroupOf(meta);
        var visible = (sources ?? []).Where(l => l.IsDeleted != true && user.MayView(l, groupOf)).Select(l => l.Id).ToHashSet();
        return job.Spec.SourceLeadIds.All(visible.Contains);
    }

    /// <summary>The stages the form offers: where the user may put deals; pipelines without one are left out.</summary>
    public static IEnumerable<(Pipeline Pipeline, IReadOnlyList<PipelineStatus> Stages)> UsableStages(UserAccess user, AccountMetadata meta) =>
        meta.Pipelines.Where(p => p.IsArchive != true)
            .Select(p => (p, (IReadOnlyList<PipelineStatus>)p.Statuses.Where(s => !s.IsUnsorted && user.MayPutInto(p.Id, s.Id)).ToList()))
            .Where(x => x.Item2.Count > 0);

    /// <summary>
    /// Reading the Digital Pipeline key: admins only. Whoever holds it can have repeat deals made with the account's
    /// rights (hooks name no user), so it is as much as an administrator's power over deals.
    /// </summary>
    public static AccessRefused? ReadDpKey(UserAccess user) =>
        user.IsAdmin ? null
            : Forbidden("rights.admin_only", "Only administrators may set up Digital Pipeline rules",
                "Only an amoCRM administrator of the account may read the Digital Pipeline key: repeat deals made with it run with the account's rights.",
                R("", "rights.admin_only", $"user {user.Id} is not an administrator of the account", ("user_id", user.Id)));

    /// <summary>Saving "who may copy": admins only; every user and group must exist in the account.</summary>
    public static AccessRefused? SaveSettings(UserAccess user, AccountMetadata meta, CopyAccess proposed)
    {
        if (!user.IsAdmin)
            return Forbidden("settings.admin_only", "Only administrators may change the settings", "Only an amoCRM administrator of the account may change who may copy.");
        var refusals = new List<Refusal>();
        for (var i = 0; i < proposed.UserIds.Count; i++)
            if (meta.User(proposed.UserIds[i]) is null)
                refusals.Add(R($"allowed_user_ids[{i}]", "settings.user_not_found", $"user {proposed.UserIds[i]} is not a user of the account", ("user_id", proposed.UserIds[i])));
        var groups = meta.Groups.Select(g => g.Id).Append(0).ToHashSet();
        for (var i = 0; i < proposed.GroupIds.Count; i++)
            if (!groups.Contains(proposed.GroupIds[i]))
                refusals.Add(R($"allowed_group_ids[{i}]", "settings.group_not_found", $"group {proposed.GroupIds[i]} is not a group of the account", ("group_id", proposed.GroupIds[i])));
        return refusals.Count == 0 ? null : new AccessRefused(422, "settings.invalid", "The settings cannot be saved", "Some users or groups are not in the account.", refusals);
    }
}
