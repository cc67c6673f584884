using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Model;

/// <summary>The account (`GET /api/v4/account`, API-NOTES §14).</summary>
public sealed class Account : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? Subdomain { get; set; }
    public long? CreatedAt { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedAt { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CurrentUserId { get; set; }
    public string? Country { get; set; }
    public string? Currency { get; set; }
    public string? CurrencySymbol { get; set; }
    public string? CustomersMode { get; set; }
    public bool? IsUnsortedOn { get; set; }
    public int? MobileFeatureVersion { get; set; }
    public bool? IsLossReasonEnabled { get; set; }
    public bool? IsHelpbotEnabled { get; set; }
    public bool? IsTechnicalAccount { get; set; }
    public string? ContactNameDisplayOrder { get; set; }
    public string? AmojoId { get; set; }
    public string? Uuid { get; set; }
    public long? Version { get; set; }
    public string? DriveUrl { get; set; }
    public JObject? DatetimeSettings { get; set; }

    [JsonProperty("_embedded")]
    public AccountEmbedded? Embedded { get; set; }
}

/// <summary>What <c>with=users_groups,task_types</c> adds to the account.</summary>
public sealed class AccountEmbedded : AmoEntity
{
    public List<UsersGroup>? UsersGroups { get; set; }
    public List<TaskType>? TaskTypes { get; set; }
}

/// <summary>A group of users.</summary>
public sealed class UsersGroup : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
}

/// <summary>A task type (1 = call, 2 = meeting, others custom).</summary>
public sealed class TaskType : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? Color { get; set; }
    public long? IconId { get; set; }
    public string? Code { get; set; }
}

/// <summary>A user (`GET /api/v4/users`, admin tokens only).</summary>
public sealed class User : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Lang { get; set; }
    public UserRights? Rights { get; set; }

    /// <summary>Whether this user can be made responsible for a deal (active, not a free seat).</summary>
    [JsonIgnore]
    public bool CanBeResponsible => Rights?.IsActive != false && Rights?.IsFree != true;
}

/// <summary>A user's rights; per-entity letters (A/G/M/D) stay as JSON.</summary>
public sealed class UserRights : AmoEntity
{
    public JObject? Leads { get; set; }
    public JObject? Contacts { get; set; }
    public JObject? Companies { get; set; }
    public JObject? Tasks { get; set; }
    public bool? MailAccess { get; set; }
    public bool? CatalogAccess { get; set; }
    public JToken? StatusRights { get; set; }
    public bool? IsAdmin { get; set; }
    public bool? IsFree { get; set; }
    public bool? IsActive { get; set; }
    public long? GroupId { get; set; }
    public long? RoleId { get; set; }
}

/// <summary>A pipeline with its stages (API-NOTES §8).</summary>
public sealed class Pipeline : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public int? Sort { get; set; }
    public bool? IsMain { get; set; }
    public bool? IsUnsortedOn { get; set; }
    public bool? IsArchive { get; set; }
    public long? AccountId { get; set; }

    [JsonProperty("_embedded")]
    public PipelineEmbedded? Embedded { get; set; }

    [JsonIgnore]
    public IReadOnlyList<PipelineStatus> Statuses => Embedded?.Statuses ?? [];
}

/// <summary>The stages of a pipeline.</summary>
public sealed class PipelineEmbedded : AmoEntity
{
    public List<PipelineStatus>? Statuses { get; set; }
}

/// <summary>A pipeline stage. Type 1 is Unsorted (leads cannot be put there through the API); 142/143 won/lost.</summary>
public sealed class PipelineStatus : AmoEntity
{
    public const long WonStatusId = 142;
    public const long LostStatusId = 143;

    public long Id { get; set; }
    public string? Name { get; set; }
    public int? Sort { get; set; }
    public bool? IsEditable { get; set; }
    public long? PipelineId { get; set; }
    public string? Color { get; set; }
    public int? Type { get; set; }
    public long? AccountId { get; set; }
    public JToken? Descriptions { get; set; }

    [JsonIgnore]
    public bool IsUnsorted => Type == 1;
}

/// <summary>A catalog (list), e.g. the products catalog (API-NOTES §13).</summary>
public sealed class Catalog : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public int? Sort { get; set; }
    /// <summary><c>regular</c>, <c>invoices</c> or <c>products</c>.</summary>
    public string? Type { get; set; }
    public bool? CanAddElements { get; set; }
    public bool? CanShowInCards { get; set; }
    public bool? CanLinkMultiple { get; set; }
    public bool? CanBeDeleted { get; set; }
    public string? SdkWidgetCode { get; set; }
    public long? AccountId { get; set; }
}

/// <summary>An element of a catalog (a product in the products catalog).</summary>
public sealed class CatalogElement : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public long? CatalogId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public bool? IsDeleted { get; set; }
    public long? CurrencyId { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public long? AccountId { get; set; }
}

/// <summary>A catalog element to create.</summary>
public sealed class CatalogElementWrite
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public string? RequestId { get; set; }
}
