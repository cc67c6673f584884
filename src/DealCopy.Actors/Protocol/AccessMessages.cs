namespace DealCopy.Actors.Protocol;

/// <summary>"Who may copy", kept by the account: users and groups; both empty = everyone whose amoCRM rights allow it.</summary>
public sealed record CopyAccess(IReadOnlyList<long> UserIds, IReadOnlyList<long> GroupIds)
{
    public static CopyAccess Everyone { get; } = new([], []);

    public bool IsOpen => UserIds.Count == 0 && GroupIds.Count == 0;

    public bool Allows(long userId, long groupId) => IsOpen || UserIds.Contains(userId) || GroupIds.Contains(groupId);
}

/// <summary>An admin changed "who may copy" (journaled by the account).</summary>
public sealed record CopyAccessChanged(CopyAccess Access, long ByUserId, long At) : IAccountEvent;

/// <summary>The account's settings as the widget's settings screen needs them (any active user may read).</summary>
public sealed record GetCopySettings(long AccountId, long UserId) : IWithAccountId;

/// <summary>Replace "who may copy"; only amoCRM admins of the account may (<c>settings.admin_only</c>).</summary>
public sealed record SaveCopySettings(long AccountId, long UserId, CopyAccess Access) : IWithAccountId;

public sealed record SettingsUserView(long Id, string Name, long GroupId);

public sealed record SettingsGroupView(long Id, string Name);

/// <summary>"Who may copy", the users and groups to choose from, and whether the caller may change it.</summary>
public sealed record CopySettingsView(CopyAccess Access, IReadOnlyList<SettingsUserView> Users, IReadOnlyList<SettingsGroupView> Groups, bool MayEdit, long? ChangedBy, long? ChangedAt) : IDealCopyMessage;

/// <summary>A widget call refused by the caller's rights or "who may copy" (docs/API.md "Rights"); nothing was done.</summary>
public sealed record AccessRefused(int Status, string Code, string Title, string Detail, IReadOnlyList<Refusal> Refusals) : IDealCopyMessage;

/// <summary>May this user read the account's Digital Pipeline key? Only amoCRM admins may (<c>rights.admin_only</c>).</summary>
public sealed record AdmitDpKey(long AccountId, long UserId) : IWithAccountId;

/// <summary>The user is an admin of the account: the Host may hand out the Digital Pipeline key.</summary>
public sealed record DpKeyAdmitted(long AccountId) : IDealCopyMessage;
