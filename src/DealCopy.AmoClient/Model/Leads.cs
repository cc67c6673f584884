using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Model;

/// <summary>A lead (deal) as amoCRM returns it (API-NOTES §4.2).</summary>
public sealed class Lead : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    /// <summary>Documented as an integer; decimal keeps fractional budgets (minor units) too.</summary>
    public decimal? Price { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? GroupId { get; set; }
    public long? StatusId { get; set; }
    public long? PipelineId { get; set; }
    public long? LossReasonId { get; set; }
    public long? SourceId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ClosedAt { get; set; }
    public long? ClosestTaskAt { get; set; }
    public bool? IsDeleted { get; set; }
    /// <summary><c>null</c> when the lead has no values (amoCRM sends null, not []).</summary>
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public decimal? Score { get; set; }
    public long? AccountId { get; set; }
    public long? LaborCost { get; set; }
    public bool? IsPriceModifiedByRobot { get; set; }

    [JsonProperty("_embedded")]
    public LeadEmbedded? Embedded { get; set; }

    /// <summary>The lead's tags (empty when none).</summary>
    [JsonIgnore]
    public IReadOnlyList<Tag> Tags => Embedded?.Tags ?? [];

    /// <summary>The lead's contacts (only with <c>with=contacts</c>).</summary>
    [JsonIgnore]
    public IReadOnlyList<LeadContactRef> Contacts => Embedded?.Contacts ?? [];
}

/// <summary>What amoCRM embeds in a lead; contacts, catalog elements, loss reason and source need <c>with=</c>.</summary>
public sealed class LeadEmbedded : AmoEntity
{
    public List<Tag>? Tags { get; set; }
    public List<EntityRef>? Companies { get; set; }
    public List<LeadContactRef>? Contacts { get; set; }
    public List<LeadCatalogElementRef>? CatalogElements { get; set; }
    public List<LossReason>? LossReason { get; set; }
    public LeadSource? Source { get; set; }
}

/// <summary>A contact of a lead; <see cref="IsMain"/> marks the main contact.</summary>
public sealed class LeadContactRef : AmoEntity
{
    public long Id { get; set; }
    public bool? IsMain { get; set; }
}

/// <summary>A product (catalog element) linked to a lead, with quantity and price field.</summary>
public sealed class LeadCatalogElementRef : AmoEntity
{
    public long Id { get; set; }
    public CatalogLinkMetadata? Metadata { get; set; }
}

/// <summary>Metadata of a catalog element link.</summary>
public sealed class CatalogLinkMetadata : AmoEntity
{
    public decimal? Quantity { get; set; }
    public long? CatalogId { get; set; }
    public long? PriceId { get; set; }
}

/// <summary>A lead's source.</summary>
public sealed class LeadSource : AmoEntity
{
    public long? Id { get; set; }
    public string? Name { get; set; }
}

/// <summary>A reason a lead was lost (`GET /api/v4/leads/loss_reasons`).</summary>
public sealed class LossReason : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public int? Sort { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
}

/// <summary>
/// A lead to create (`POST /api/v4/leads`) or update (`PATCH /api/v4/leads`, with <see cref="Id"/>).
/// Only set fields are sent.
/// </summary>
public sealed class LeadWrite
{
    /// <summary>Only for updates.</summary>
    public long? Id { get; set; }
    public string? Name { get; set; }
    public decimal? Price { get; set; }
    public long? StatusId { get; set; }
    public long? PipelineId { get; set; }
    /// <summary>0 marks the change as done by the "robot".</summary>
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ClosedAt { get; set; }
    /// <summary>Only for leads in the lost stage (143); amoCRM refuses it otherwise.</summary>
    public long? LossReasonId { get; set; }
    public long? ResponsibleUserId { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public List<TagRef>? TagsToAdd { get; set; }
    /// <summary>Only for updates.</summary>
    public List<TagRef>? TagsToDelete { get; set; }

    [JsonProperty("_embedded")]
    public LeadWriteEmbedded? Embedded { get; set; }

    /// <summary>Echoed back per entity; the client fills it (the index) when empty so results map back.</summary>
    public string? RequestId { get; set; }
}

/// <summary>What can be embedded in a lead write: tags, and on create contacts, companies and source.</summary>
public sealed class LeadWriteEmbedded
{
    /// <summary>On update this replaces all tags; see <see cref="ClearTags"/> to remove them all.</summary>
    [JsonIgnore]
    public List<TagRef>? Tags { get; set; }

    /// <summary>Send <c>"tags": null</c> (on update: remove every tag).</summary>
    [JsonIgnore]
    public bool ClearTags { get; set; }

    [JsonProperty("tags", NullValueHandling = NullValueHandling.Include)]
    private List<TagRef>? TagsJson
    {
        get => ClearTags ? null : Tags;
        set
        {
            Tags = value;
            ClearTags = value is null;
        }
    }

    /// <summary>Newtonsoft's hook: write <c>tags</c> only when set or explicitly cleared.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public bool ShouldSerializeTagsJson() => ClearTags || Tags is not null;

    public List<LeadContactWrite>? Contacts { get; set; }
    public List<EntityRef>? Companies { get; set; }
    public JObject? Source { get; set; }
}

/// <summary>A contact attached to a new lead.</summary>
public sealed class LeadContactWrite
{
    public long Id { get; set; }
    public bool? IsMain { get; set; }
}
