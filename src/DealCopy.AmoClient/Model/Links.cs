namespace DealCopy.AmoClient.Model;

/// <summary>A link as read (`GET /api/v4/leads/{id}/links`, `GET /api/v4/leads/links`).</summary>
public sealed class EntityLink : AmoEntity
{
    /// <summary>Set in the bulk list (`/leads/links`): the lead the link belongs to.</summary>
    public long? EntityId { get; set; }
    public string? EntityType { get; set; }
    public long ToEntityId { get; set; }
    /// <summary><c>contacts</c>, <c>companies</c> or <c>catalog_elements</c>.</summary>
    public string ToEntityType { get; set; } = "";
    public EntityLinkMetadata? Metadata { get; set; }

    /// <summary>The same link for another lead, in the write shape (read <c>main_contact</c> becomes <c>is_main</c>).</summary>
    public LinkWrite ToWrite(long entityId) => new()
    {
        EntityId = entityId,
        ToEntityId = ToEntityId,
        ToEntityType = ToEntityType,
        Metadata = Metadata is null
            ? null
            : new LinkWriteMetadata
            {
                IsMain = Metadata.MainContact,
                Quantity = Metadata.Quantity,
                CatalogId = Metadata.CatalogId,
                PriceId = Metadata.PriceId,
            },
    };
}

/// <summary>Metadata as read: <c>main_contact</c> for contacts; quantity, catalog and price field for products.</summary>
public sealed class EntityLinkMetadata : AmoEntity
{
    public bool? MainContact { get; set; }
    public decimal? Quantity { get; set; }
    public long? CatalogId { get; set; }
    public long? PriceId { get; set; }
}

/// <summary>A link to create or remove (`POST /api/v4/leads/link|unlink`).</summary>
public sealed class LinkWrite
{
    /// <summary>The lead (bulk endpoints need it on every element).</summary>
    public long? EntityId { get; set; }
    public long ToEntityId { get; set; }
    public string ToEntityType { get; set; } = "";
    public LinkWriteMetadata? Metadata { get; set; }

    public static LinkWrite Contact(long leadId, long contactId, bool isMain) =>
        new() { EntityId = leadId, ToEntityId = contactId, ToEntityType = LinkTypes.Contacts, Metadata = new() { IsMain = isMain } };

    public static LinkWrite Company(long leadId, long companyId) =>
        new() { EntityId = leadId, ToEntityId = companyId, ToEntityType = LinkTypes.Companies };

    public static LinkWrite CatalogElement(long leadId, long elementId, long catalogId, decimal quantity, long? priceId = null) =>
        new()
        {
            EntityId = leadId,
            ToEntityId = elementId,
            ToEntityType = LinkTypes.CatalogElements,
            Metadata = new() { CatalogId = catalogId, Quantity = quantity, PriceId = priceId },
        };
}

/// <summary>Metadata as written: <c>is_main</c> for contacts.</summary>
public sealed class LinkWriteMetadata
{
    public bool? IsMain { get; set; }
    public decimal? Quantity { get; set; }
    public long? CatalogId { get; set; }
    public long? PriceId { get; set; }
    public long? UpdatedBy { get; set; }
}

/// <summary>Link target types of a lead.</summary>
public static class LinkTypes
{
    public const string Contacts = "contacts";
    public const string Companies = "companies";
    public const string CatalogElements = "catalog_elements";
}
