namespace DealCopy.Actors.Protocol;

/// <summary>Installs (or re-installs) an account with the tokens to act for it.</summary>
public sealed record InstallAccount(long AccountId, string Referer, string AccessToken, string? RefreshToken, long? ExpiresAt) : IWithAccountId
{
    /// <summary>amoCRM's <c>platform</c> of the install redirect: 1 = amocrm.ru, 2 = amocrm.com/kommo.com.</summary>
    public string? Platform { get; init; }

    /// <summary>Never prints the tokens (dead letters and debug logs print messages).</summary>
    public override string ToString() => $"InstallAccount({AccountId}, {Referer}, tokens redacted)";
}

/// <summary>The token store hands a rotated pair to the account before it is used.</summary>
public sealed record SaveTokens(long AccountId, string AccessToken, string? RefreshToken, long? ExpiresAt) : IWithAccountId
{
    public override string ToString() => $"SaveTokens({AccountId}, tokens redacted)";
}

/// <summary>Start a copy job; replies <see cref="CopyAccepted"/> or <see cref="CopyRejected"/> once the job is persisted or refused.</summary>
public sealed record StartCopy(long AccountId, CopyJobSpec Spec) : IWithAccountId;

/// <summary>A dry run of a copy: admitted exactly like <see cref="StartCopy"/>, writes nothing; replies <see cref="CopyPreviewView"/> or <see cref="CopyRejected"/>.</summary>
public sealed record PreviewCopy(long AccountId, CopyJobSpec Spec) : IWithAccountId;

public sealed record GetJob(long AccountId, string JobId) : IWithAccountId
{
    /// <summary>The widget user asking (their rights decide, docs/API.md "Rights"); null = the operator API.</summary>
    public long? ForUserId { get; init; }
}

public sealed record UndoJob(long AccountId, string JobId, long ByUserId) : IWithAccountId;

/// <summary>Pipelines, users and fields for the widget form.</summary>
public sealed record GetAccountMeta(long AccountId) : IWithAccountId
{
    /// <summary>The widget user asking: only the pipelines and stages they may put deals into are offered; null = all.</summary>
    public long? ForUserId { get; init; }
}

public sealed record GetAccountStatus(long AccountId) : IWithAccountId;

/// <summary>The account's jobs, newest first (the operator's <c>dealcopy account jobs</c>); replies <see cref="AccountJobsView"/>.</summary>
public sealed record ListAccountJobs(long AccountId) : IWithAccountId;

// ---- replies -------------------------------------------------------------------------------

public sealed record AccountInstalledReply(long AccountId, string Subdomain) : IDealCopyMessage;

public sealed record TokensSaved(long AccountId) : IDealCopyMessage;

/// <summary>The job exists (new or found by its idempotency key).</summary>
public sealed record CopyAccepted(string JobId, bool IsNew) : IDealCopyMessage;

/// <summary>Refused before any job exists: a top-level <see cref="Code"/>, and one refusal per request field (e.g. <c>lead_ids[2]</c>).</summary>
public sealed record CopyRejected(int Status, string Code, string Title, string Detail, IReadOnlyList<Refusal> Refusals) : IDealCopyMessage
{
    /// <summary>Field → English text, as the <c>errors</c> member of problem+json.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IReadOnlyDictionary<string, string> Errors => Refusal.ErrorsOf(Refusals);
}

public sealed record JobNotFound(string JobId) : IDealCopyMessage;

public sealed record UndoAccepted(string JobId) : IDealCopyMessage;

public sealed record UndoRefused(int Status, string Code, string Detail) : IDealCopyMessage;

/// <summary>The account is not installed (or was uninstalled): nothing can be done for it.</summary>
public sealed record AccountNotInstalled(long AccountId) : IDealCopyMessage;

/// <summary>amoCRM could not be reached or refused us while answering (metadata, validation reads).</summary>
public sealed record AmoUnavailable(long AccountId, string Detail) : IDealCopyMessage;

/// <summary>One line per job of an account, newest first.</summary>
public sealed record AccountJobsView(long AccountId, IReadOnlyList<AccountJobRow> Jobs) : IDealCopyMessage;

public sealed record AccountJobRow(string Id, string Status, long CreatedAt, long? FinishedAt, int Total, int Done);

public sealed record AccountStatusView(long AccountId, bool Installed, string? Subdomain, string? Referer, int RunningJobs) : IDealCopyMessage;

/// <summary>
/// A widget call for this account: refused when the account is not installed or the token's <c>jti</c>
/// was used before (a replay). Sharding sends every call of an account here, so the check holds cluster-wide;
/// each used <c>jti</c> is journaled (<see cref="WidgetTokenUsed"/>) before the call goes on, so the memory
/// survives restarts and moves to another node. <paramref name="IssuedAt"/> is kept for the record.
/// </summary>
public sealed record AuthorizeWidgetCall(long AccountId, string Jti, long ExpiresAt, long IssuedAt) : IWithAccountId
{
    /// <summary>The token's user: must be an active, non-free user of the account (else <see cref="AccessRefused"/>); null = not checked.</summary>
    public long? UserId { get; init; }
}

public sealed record WidgetCallAuthorized(long AccountId, string Referer) : IDealCopyMessage;

public sealed record WidgetCallRefused(long AccountId, string Code, string Reason) : IDealCopyMessage;

/// <summary>A Digital Pipeline hook for a rule: make (or schedule) one repeat deal; idempotent per event.</summary>
public sealed record StartRepeatDeal(long AccountId, RepeatTrigger Trigger, CopyOptions Options) : IWithAccountId;

public sealed record RepeatAccepted(string JobId, bool IsNew, long RunAt) : IDealCopyMessage;

/// <summary>The integration was disabled in amoCRM: drop the tokens, cancel pending work, refuse further calls.</summary>
public sealed record UninstallAccount(long AccountId) : IWithAccountId;

public sealed record AccountUninstalledReply(long AccountId, int CancelledJobs) : IDealCopyMessage;

/// <summary>
/// The jobs a user may see, newest first (GET /api/v1/copies); replies <see cref="JobPage"/>. Whether the viewer is an
/// administrator (and sees everyone's runs) is read from amoCRM's users list, not from the widget token.
/// </summary>
public sealed record ListJobs(long AccountId, long ViewerUserId, int Offset, int Limit, long CreatedSince) : IWithAccountId;
