namespace DealCopy.Actors.Protocol;

/// <summary>Who becomes responsible for a copy.</summary>
public enum ResponsibleMode { Keep, Fixed, RoundRobin }

/// <summary>What happens to the original deal once its copies exist.</summary>
public enum OriginalMode { Leave, Move, CloseWon, CloseLost }

/// <summary>Responsible rule: keep the source's, one fixed user, or round-robin over users.</summary>
public sealed record ResponsibleRule(ResponsibleMode Mode, IReadOnlyList<long> UserIds)
{
    public static ResponsibleRule Keep { get; } = new(ResponsibleMode.Keep, []);
}

/// <summary>What a copy carries over. <see cref="FieldIds"/> is used when <see cref="AllFields"/> is false.</summary>
public sealed record CopyContent(
    bool AllFields,
    IReadOnlyList<long> FieldIds,
    bool Price,
    bool Contacts,
    bool Company,
    bool Tags,
    bool Products,
    bool Notes,
    bool OpenTasks,
    bool FinishedTasks)
{
    public static CopyContent Everything { get; } = new(true, [], true, true, true, true, true, false, false, false);
}

/// <summary>The original: leave it, move it to a stage, or close it as won or lost.</summary>
public sealed record OriginalAction(OriginalMode Mode, long? PipelineId = null, long? StatusId = null, long? LossReasonId = null)
{
    public static OriginalAction Leave { get; } = new(OriginalMode.Leave);
}

/// <summary>
/// Everything a copy job needs to know besides the source deals. <see cref="TargetStatusId"/> null means
/// "the source's stage when the pipeline is the same, else the first stage" (ARCHITECTURE §4).
/// </summary>
public sealed record CopyOptions(
    long TargetPipelineId,
    long? TargetStatusId,
    ResponsibleRule Responsible,
    string NameTemplate,
    CopyContent Content,
    OriginalAction Original,
    int CopiesPerLead)
{
    public const string DefaultNameTemplate = "{name}";
}

/// <summary>A copy job as accepted: which deals, how, by whom; <see cref="Trigger"/> when a Digital Pipeline rule asked.</summary>
public sealed record CopyJobSpec(
    IReadOnlyList<long> SourceLeadIds,
    CopyOptions Options,
    long RequestedBy,
    string? IdempotencyKey)
{
    public RepeatTrigger? Trigger { get; init; }
}

/// <summary>
/// Why a repeat deal is made: a lead entered a rule's Digital Pipeline stage. The job checks before it
/// copies (at <see cref="RunAt"/>, after the rule's delay) that the lead is still there, that it is not a
/// copy made by rules <see cref="MaxDepth"/> deep (loop guard), and optionally that the main contact has no
/// open deal from this rule yet.
/// </summary>
public sealed record RepeatTrigger(long LeadId, long PipelineId, long StatusId, long EventTime, string RuleId, bool SkipIfOpen, int MaxDepth, long RunAt);
