namespace DealCopy.Actors.Protocol;

/// <summary>What an account journals. Tokens are stored encrypted (<see cref="Accounts.TokenVault"/>).</summary>
public interface IAccountEvent : IDealCopyMessage;

/// <summary>An event of one job.</summary>
public interface IJobEvent : IAccountEvent
{
    string JobId { get; }
}

/// <summary>A step of one copy after the lead exists (and of its undo).</summary>
public enum CopyStep { Products, Notes, Tasks, UndoClose, UndoUnlink, UndoNote }

public sealed record AccountInstalled(string Referer, string SealedTokens, long At) : IAccountEvent
{
    public string? Platform { get; init; }

    public override string ToString() => $"AccountInstalled({Referer}, sealed tokens, {At})";
}

public sealed record TokensRotated(string SealedTokens, long At) : IAccountEvent
{
    public override string ToString() => $"TokensRotated(sealed tokens, {At})";
}

/// <summary>
/// A widget token (its <c>jti</c>) was used: journaled before the call is let through, so that a replay is refused
/// after a restart and on whichever node the account moves to. Forgotten once past <paramref name="KeepUntil"/> (the
/// token's expiry plus the clock skew: the token validator refuses it by then anyway).
/// </summary>
public sealed record WidgetTokenUsed(string Jti, long KeepUntil, long At) : IAccountEvent;

public sealed record JobAccepted(string JobId, CopyJobSpec Spec, long At) : IAccountEvent;

/// <summary>Journaled before a create is sent: after a crash the job knows to look for these copies first.</summary>
public sealed record CopiesAttempted(string JobId, IReadOnlyList<string> Keys, long At) : IJobEvent;

public sealed record CopyCreated(string JobId, string Key, long LeadId, IReadOnlyList<SkippedField> Skipped) : IJobEvent;

public sealed record CopyFailed(string JobId, string Key, Reason Reason) : IJobEvent;

public sealed record CopyStepAttempted(string JobId, string Key, CopyStep Step) : IJobEvent;

public sealed record CopyStepDone(string JobId, string Key, CopyStep Step, Reason? Problem) : IJobEvent;

public sealed record OriginalHandled(string JobId, long SourceId, Reason? Problem) : IJobEvent;

public sealed record JobFinished(string JobId, long At) : IJobEvent;

public sealed record UndoRequested(string JobId, long ByUserId, long At) : IJobEvent;

public sealed record UndoFinished(string JobId, long At) : IJobEvent;

public sealed record AccountUninstalled(long At) : IAccountEvent;

/// <summary>A job that will not run (any more): its deal left the stage, a guard held, or the account disconnected.</summary>
public sealed record JobCancelled(string JobId, Reason Reason, long At) : IJobEvent;
