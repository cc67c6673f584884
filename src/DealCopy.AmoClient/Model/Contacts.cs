using Newtonsoft.Json;

namespace DealCopy.AmoClient.Model;

/// <summary>A contact (API-NOTES §6).</summary>
public sealed class Contact : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? GroupId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ClosestTaskAt { get; set; }
    public bool? IsDeleted { get; set; }
    public bool? IsUnsorted { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public long? AccountId { get; set; }

    [JsonProperty("_embedded")]
    public CrmEntityEmbedded? Embedded { get; set; }
}

/// <summary>A company (API-NOTES §6).</summary>
public sealed class Company : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? GroupId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ClosestTaskAt { get; set; }
    public bool? IsDeleted { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public long? AccountId { get; set; }

    [JsonProperty("_embedded")]
    public CrmEntityEmbedded? Embedded { get; set; }
}

/// <summary>What amoCRM embeds in a contact or company (leads/contacts/customers need <c>with=</c>).</summary>
public sealed class CrmEntityEmbedded : AmoEntity
{
    public List<Tag>? Tags { get; set; }
    public List<EntityRef>? Companies { get; set; }
    public List<EntityRef>? Contacts { get; set; }
    public List<EntityRef>? Leads { get; set; }
    public List<EntityRef>? Customers { get; set; }
    public List<LeadCatalogElementRef>? CatalogElements { get; set; }
}

/// <summary>A contact to create (`POST /api/v4/contacts`).</summary>
public sealed class ContactWrite
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public List<TagRef>? TagsToAdd { get; set; }
    /// <summary>Only for updates.</summary>
    public List<TagRef>? TagsToDelete { get; set; }

    [JsonProperty("_embedded")]
    public TagsEmbeddedWrite? Embedded { get; set; }

    public string? RequestId { get; set; }
}

/// <summary>A company to create (`POST /api/v4/companies`).</summary>
public sealed class CompanyWrite
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public List<CustomFieldValues>? CustomFieldsValues { get; set; }
    public List<TagRef>? TagsToAdd { get; set; }
    /// <summary>Only for updates.</summary>
    public List<TagRef>? TagsToDelete { get; set; }

    [JsonProperty("_embedded")]
    public TagsEmbeddedWrite? Embedded { get; set; }

    public string? RequestId { get; set; }
}

/// <summary>Tags embedded in a contact or company write.</summary>
public sealed class TagsEmbeddedWrite
{
    public List<TagRef>? Tags { get; set; }
}
