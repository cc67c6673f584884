namespace DealCopy.Actors.Protocol;

/// <summary>A field the copy could not write, and why (shown to the user): <see cref="Reason"/> in English, <see cref="Code"/> for the widget.</summary>
public sealed record SkippedField(long FieldId, string Name, string Type, string Reason)
{
    /// <summary>The reason's stable code (docs/API.md); <c>field.not_copied</c> for reports journaled before codes existed.</summary>
    public string Code { get; init; } = "field.not_copied";

    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    public static SkippedField Of(long fieldId, string name, string type, Reason reason) =>
        new(fieldId, name, type, reason.Message) { Code = reason.Code, Params = reason.Params };
}

public sealed record StatusView(long Id, string Name, int Sort, string? Color, string Kind);

public sealed record PipelineView(long Id, string Name, bool IsMain, IReadOnlyList<StatusView> Statuses);

public sealed record UserView(long Id, string Name);

public sealed record FieldView(long Id, string Name, string Type, bool Copyable, string? Reason)
{
    /// <summary>The code of <see cref="Reason"/> (docs/API.md), null when the field is copyable.</summary>
    public string? ReasonCode { get; init; }

    public IReadOnlyDictionary<string, string>? ReasonParams { get; init; }
}

public sealed record LossReasonView(long Id, string Name);

/// <summary>What the widget's copy form offers (GET /api/v1/meta).</summary>
public sealed record AccountMetaView(
    long AccountId,
    string Subdomain,
    IReadOnlyList<PipelineView> Pipelines,
    IReadOnlyList<UserView> Users,
    IReadOnlyList<FieldView> LeadFields,
    IReadOnlyList<LossReasonView> LossReasons) : IDealCopyMessage;

public sealed record CopyView(int N, long LeadId);

/// <summary>
/// One source deal's row of a job report. <see cref="Errors"/> are the English lines ("copy 1: …", "original: …") for
/// API readers; <see cref="Problems"/> the same problems with their codes, for the widget to word in ru and en.
/// </summary>
public sealed record DealProgressView(
    long SourceId,
    string Status,
    IReadOnlyList<CopyView> Copies,
    IReadOnlyList<SkippedField> SkippedFields,
    IReadOnlyList<string> Errors,
    IReadOnlyList<ProblemView> Problems);

/// <summary>A problem of one copy (<see cref="Copy"/> = its number) or of the original (null): a code from docs/API.md "Report codes".</summary>
public sealed record ProblemView(int? Copy, string Code, IReadOnlyDictionary<string, string> Params, string Message)
{
    public static ProblemView Of(int? copy, Reason reason) => new(copy, reason.Code, reason.Params, reason.Message);

    /// <summary>The English line of <see cref="DealProgressView.Errors"/>.</summary>
    public string Text => Copy is { } n ? $"copy {n}: {Message}" : "original: " + Message;
}

/// <summary>A copy the undo could not close or unlink: the English <see cref="Reason"/> and its code.</summary>
public sealed record UndoProblemView(long LeadId, string Reason, string Code, IReadOnlyDictionary<string, string> Params);

public sealed record UndoView(string Status, long ByUserId, IReadOnlyList<long> Closed, IReadOnlyList<UndoProblemView> NotUndone);

/// <summary>Why a job's last attempt failed: a stable code (docs/API.md "Codes"), its parameters, and amoCRM's words in English.</summary>
public sealed record JobError(string Code, IReadOnlyDictionary<string, string> Params, string Message);

/// <summary>A job as the widget sees it (GET /api/v1/copies/{id}).</summary>
public sealed record JobView(
    string Id,
    string Status,
    long CreatedAt,
    long? FinishedAt,
    int Total,
    int Done,
    IReadOnlyList<DealProgressView> Deals,
    UndoView? Undo) : IDealCopyMessage
{
    /// <summary>Why a job was cancelled or skipped (repeat deals), in English, else null.</summary>
    public string? Reason { get; init; }

    /// <summary>The code of <see cref="Reason"/> (docs/API.md "Report codes"), else null.</summary>
    public string? ReasonCode { get; init; }

    public IReadOnlyDictionary<string, string>? ReasonParams { get; init; }

    /// <summary>When a delayed repeat deal is due (Unix seconds), else null.</summary>
    public long? RunAt { get; init; }

    /// <summary>How many times a step failed and was tried again (since the account last woke).</summary>
    public int Retries { get; init; }

    /// <summary>The last failure, while it matters to the user (null when there was none).</summary>
    public JobError? LastError { get; init; }
}

/// <summary>One job in the history: what it is, who started it, how far it got, whether it can be undone.</summary>
public sealed record JobSummaryView(
    string Id,
    string Status,
    string Kind,
    long StartedBy,
    long CreatedAt,
    long? FinishedAt,
    int Deals,
    int Total,
    int Done,
    int Created,
    int Failed,
    bool CanUndo);

/// <summary>A page of the history: <see cref="Total"/> jobs the viewer may see, <see cref="Items"/> from <see cref="Offset"/>.</summary>
public sealed record JobPage(int Total, int Offset, int Limit, IReadOnlyList<JobSummaryView> Items) : IDealCopyMessage;

// ---- the dry run (POST /api/v1/copies/preview) ---------------------------------------------

/// <summary>One copy as the job would create it: its number, name, where it lands and who is responsible (null = amoCRM decides).</summary>
public sealed record PreviewCopyView(int N, string Name, long PipelineId, long StatusId, long? ResponsibleUserId);

public sealed record PreviewContactView(long Id, bool IsMain);

public sealed record PreviewProductView(long Id, long? CatalogId, decimal Quantity);

/// <summary>One source deal in a dry run: its copies and what each would carry, and every field left out with its reason code.</summary>
public sealed record PreviewDealView(
    long SourceId,
    string Name,
    IReadOnlyList<PreviewCopyView> Copies,
    int Fields,
    decimal? Price,
    IReadOnlyList<PreviewContactView> Contacts,
    long? CompanyId,
    IReadOnlyList<PreviewProductView> Products,
    IReadOnlyList<string> Tags,
    int Notes,
    int Tasks,
    IReadOnlyList<SkippedField> SkippedFields);

/// <summary>How many copies land in one stage.</summary>
public sealed record PreviewTargetView(long PipelineId, long StatusId, int Copies);

/// <summary>How many copies one user becomes responsible for (null = amoCRM assigns the installing user).</summary>
public sealed record PreviewResponsibleView(long? UserId, int Copies);

/// <summary>How many skipped fields share a reason code.</summary>
public sealed record PreviewSkipView(string Code, int Count);

/// <summary>
/// The amoCRM requests a copy would cost, per step of the job (read_leads, read_notes, read_tasks, create_leads,
/// link_products, create_notes, create_tasks, update_originals), and how long they take at the account's rate.
/// </summary>
public sealed record RequestEstimate(IReadOnlyDictionary<string, int> Steps, int Reads, int Writes, int Total, int RequestsPerSecond, int Seconds);

/// <summary>What a copy request would do, written nowhere: the summary first, then every source deal.</summary>
public sealed record CopyPreviewView(
    int Deals,
    int Copies,
    IReadOnlyList<PreviewTargetView> Targets,
    IReadOnlyList<PreviewResponsibleView> Responsibles,
    int SkippedFields,
    IReadOnlyList<PreviewSkipView> SkippedByCode,
    RequestEstimate Requests,
    IReadOnlyList<PreviewDealView> Items) : IDealCopyMessage;
