using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;

namespace DealCopy.Actors.Accounts;

/// <summary>One per-stage rule of a user (<c>status_rights</c>): it replaces the entity letters for deals in that stage.</summary>
public sealed record StageRight(long PipelineId, long StatusId, string View, string Edit);

/// <summary>
/// A user's deal rights as amoCRM's users API gives them (API-NOTES §9), read the strict way (docs/API.md
/// "Rights"): A all, G deals whose responsible is in the user's group, M own deals, D none; a stage rule
/// replaces the entity letter in its stage; no view means no edit; a letter we do not know is D.
/// </summary>
public sealed record UserAccess(long Id, bool IsAdmin, bool IsActive, bool IsFree, long GroupId, string View, string Edit, string Add, IReadOnlyList<StageRight> Stages)
{
    /// <summary>The user's rights from the users list; unknown or missing letters read as D.</summary>
    public static UserAccess Of(User user)
    {
        var r = user.Rights;
        string Letter(JObject? entity, string key) =>
            entity?[key]?.Type == JTokenType.String && entity[key]!.Value<string>() is "A" or "G" or "M" or "D" ? entity[key]!.Value<string>()! : "D";
        var stages = new List<StageRight>();
        if (r?.StatusRights is JArray list)
            foreach (var item in list.OfType<JObject>())
            {
                if (item["entity_type"]?.Value<string>() is { } type && type != "leads") continue;
                if (item["pipeline_id"]?.Type != JTokenType.Integer || item["status_id"]?.Type != JTokenType.Integer) continue;
                var letters = item["rights"] as JObject;
                stages.Add(new StageRight(item["pipeline_id"]!.Value<long>(), item["status_id"]!.Value<long>(), Letter(letters, "view"), Letter(letters, "edit")));
            }
        return new UserAccess(user.Id, r?.IsAdmin == true, r?.IsActive != false, r?.IsFree == true, r?.GroupId ?? 0,
            Letter(r?.Leads, "view"), Letter(r?.Leads, "edit"), Letter(r?.Leads, "add"), stages);
    }

    private StageRight? Stage(long? pipelineId, long? statusId) =>
        Stages.FirstOrDefault(s => s.PipelineId == pipelineId && s.StatusId == statusId);

    /// <summary>The view letter that applies in a stage.</summary>
    public string ViewIn(long? pipelineId, long? statusId) => Stage(pipelineId, statusId)?.View ?? View;

    /// <summary>The edit letter that applies in a stage (D when the stage's view is D: no view, no edit).</summary>
    public string EditIn(long? pipelineId, long? statusId) => ViewIn(pipelineId, statusId) == "D" ? "D" : Stage(pipelineId, statusId)?.Edit ?? Edit;

    /// <summary>
    /// Whether the user may create deals in this stage: the add right, view not denied there (a deal one could not
    /// see), and, where a stage rule exists, its edit not denied (status rights say who may put deals into a stage).
    /// </summary>
    public bool MayPutInto(long pipelineId, long statusId) =>
        Add == "A" && ViewIn(pipelineId, statusId) != "D" && Stage(pipelineId, statusId) is not { Edit: "D" };

    public bool MayView(Lead lead, Func<long, long> groupOf) => Allows(ViewIn(lead.PipelineId, lead.StatusId), lead, groupOf);

    public bool MayEdit(Lead lead, Func<long, long> groupOf) => MayView(lead, groupOf) && Allows(EditIn(lead.PipelineId, lead.StatusId), lead, groupOf);

    /// <summary>Whether the user could still see and change <paramref name="lead"/> once it sits in the given stage (moving or closing it).</summary>
    public bool MayEditIn(Lead lead, long pipelineId, long statusId, Func<long, long> groupOf) =>
        Allows(ViewIn(pipelineId, statusId), lead, groupOf) && Allows(EditIn(pipelineId, statusId), lead, groupOf);

    private bool Allows(string letter, Lead lead, Func<long, long> groupOf) => letter switch
    {
        "A" => true,
        // G: the deal's responsible is in the user's group (amoCRM's "group" of a user; null = the default group 0)
        "G" => lead.ResponsibleUserId is { } responsible && groupOf(responsible) == GroupId,
        "M" => lead.ResponsibleUserId == Id,
        _ => false,
    };
}
