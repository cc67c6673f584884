using System.Text.Json.Nodes;

namespace DealCopy.AmoSandbox.Model;

/// <summary>A user of an account (API-NOTES §9).</summary>
public sealed class SandboxUser
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Lang { get; set; } = "ru";
    public bool IsAdmin { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsFree { get; set; }
    public long GroupId { get; set; }
    /// <summary>What the user may do (amoCRM's <c>rights</c> object; API-NOTES §9). Admins get all rights.</summary>
    public SandboxRights Rights { get; set; } = new();
}

/// <summary>One entity's rights: letters A (all), G (the user's group), M (own), D (denied); add only A or D.</summary>
public sealed record SandboxCrud(string View = "A", string Edit = "A", string Add = "A", string Delete = "D", string Export = "D")
{
    public static readonly SandboxCrud All = new("A", "A", "A", "A", "A");
}

/// <summary>A per-stage rule (<c>status_rights</c>): narrows or widens view/edit/delete of deals in that stage.</summary>
public sealed record SandboxStatusRight(long PipelineId, long StatusId, string View, string Edit, string Delete);

/// <summary>A user's rights as amoCRM's users API shapes them.</summary>
public sealed class SandboxRights
{
    public SandboxCrud Leads { get; set; } = new();
    public SandboxCrud Contacts { get; set; } = new();
    public SandboxCrud Companies { get; set; } = new();
    public List<SandboxStatusRight> StatusRights { get; set; } = [];

    public static SandboxRights Full() => new() { Leads = SandboxCrud.All, Contacts = SandboxCrud.All, Companies = SandboxCrud.All };

    /// <summary>The letter that applies to a deal in a stage: the stage's rule if there is one, else the entity's.</summary>
    public string LeadLetter(long pipelineId, long statusId, Func<SandboxCrud, string> entity, Func<SandboxStatusRight, string> stage) =>
        StatusRights.FirstOrDefault(r => r.PipelineId == pipelineId && r.StatusId == statusId) is { } rule ? stage(rule) : entity(Leads);
}

public sealed class SandboxStatus
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public int Sort { get; set; }
    public bool IsEditable { get; set; } = true;
    public long PipelineId { get; init; }
    public string Color { get; set; } = "#99ccff";
    /// <summary>1 = Unsorted ("Неразобранное"), 0 = regular (API-NOTES §8).</summary>
    public int Type { get; set; }
}

public sealed class SandboxPipeline
{
    public const long Won = 142;
    public const long Lost = 143;

    public long Id { get; init; }
    public string Name { get; set; } = "";
    public int Sort { get; set; }
    public bool IsMain { get; set; }
    public bool IsUnsortedOn { get; set; } = true;
    public bool IsArchive { get; set; }
    public List<SandboxStatus> Statuses { get; } = [];

    public SandboxStatus? Status(long id) => Statuses.FirstOrDefault(s => s.Id == id);
    public SandboxStatus FirstRegular => Statuses.Where(s => s.Type == 0 && s.Id is not Won and not Lost).OrderBy(s => s.Sort).First();
}

public sealed class SandboxEnum
{
    public long Id { get; init; }
    public string Value { get; set; } = "";
    public int Sort { get; set; }
    public string? Code { get; set; }
}

/// <summary>A custom field definition of leads, contacts, companies or a catalog (API-NOTES §7.1).</summary>
public sealed class SandboxField
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public string? Code { get; set; }
    public int Sort { get; set; }
    public string Type { get; set; } = "text";
    public string EntityType { get; set; } = "leads";
    public bool IsComputed { get; set; }
    public bool IsPredefined { get; set; }
    public bool IsDeletable { get; set; } = true;
    public bool IsApiOnly { get; set; }
    public bool IsRequired { get; set; }
    public string? Currency { get; set; }
    public string? Remind { get; set; }
    public long? CatalogId { get; set; }
    public List<SandboxEnum> Enums { get; } = [];
    /// <summary>chained_list: the catalogs its values come from.</summary>
    public List<long> ChainedCatalogIds { get; } = [];
}

public sealed class SandboxTag
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public string? Color { get; set; }
}

public sealed class ContactLink
{
    public long ContactId { get; init; }
    public bool IsMain { get; set; }
}

public sealed class ProductLink
{
    public long ElementId { get; init; }
    public long CatalogId { get; init; }
    public decimal Quantity { get; set; } = 1;
    public long? PriceId { get; set; }
}

/// <summary>A deal (API-NOTES §4.2).</summary>
public sealed class SandboxLead
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public long ResponsibleUserId { get; set; }
    public long GroupId { get; set; }
    public long StatusId { get; set; }
    public long PipelineId { get; set; }
    public long? LossReasonId { get; set; }
    public long? SourceId { get; set; }
    public long CreatedBy { get; set; }
    public long UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? ClosedAt { get; set; }
    public bool IsDeleted { get; set; }
    public int? Score { get; set; }
    public int? LaborCost { get; set; }
    /// <summary>Read shape of custom_fields_values; null when empty (amoCRM sends null, not []).</summary>
    public JsonArray? CustomFields { get; set; }
    public List<long> TagIds { get; } = [];
    public List<ContactLink> Contacts { get; } = [];
    public long? CompanyId { get; set; }
    public List<ProductLink> Products { get; } = [];
}

/// <summary>A contact or a company (API-NOTES §6); <see cref="Kind"/> says which.</summary>
public sealed class SandboxParty
{
    public long Id { get; init; }
    public string Kind { get; init; } = "contacts";
    public string Name { get; set; } = "";
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public long ResponsibleUserId { get; set; }
    public long GroupId { get; set; }
    public long CreatedBy { get; set; }
    public long UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public bool IsDeleted { get; set; }
    public JsonArray? CustomFields { get; set; }
    public List<long> TagIds { get; } = [];
    /// <summary>For contacts: the company they belong to.</summary>
    public long? CompanyId { get; set; }
}

public sealed class SandboxNote
{
    public long Id { get; init; }
    public string EntityType { get; init; } = "leads";
    public long EntityId { get; init; }
    public string NoteType { get; set; } = "common";
    public JsonObject Params { get; set; } = [];
    public long CreatedBy { get; set; }
    public long UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long ResponsibleUserId { get; set; }
    public long GroupId { get; set; }
    public bool IsPinned { get; set; }
    /// <summary>Stored as sent, so tests can see whether a copy re-triggered the Digital Pipeline.</summary>
    public bool IsNeedToTriggerDigitalPipeline { get; set; }
}

public sealed class SandboxTask
{
    public long Id { get; init; }
    public long CreatedBy { get; set; }
    public long UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long ResponsibleUserId { get; set; }
    public long GroupId { get; set; }
    public long? EntityId { get; set; }
    public string? EntityType { get; set; }
    public bool IsCompleted { get; set; }
    public long TaskTypeId { get; set; } = 1;
    public string Text { get; set; } = "";
    public long Duration { get; set; }
    public long CompleteTill { get; set; }
    public string? ResultText { get; set; }
}

public sealed class SandboxCatalog
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = "regular";
    public int Sort { get; set; }
    public List<SandboxField> Fields { get; } = [];
}

public sealed class SandboxCatalogElement
{
    public long Id { get; init; }
    public long CatalogId { get; init; }
    public string Name { get; set; } = "";
    public long CreatedBy { get; set; }
    public long UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public bool IsDeleted { get; set; }
    public JsonArray? CustomFields { get; set; }
}

public sealed class SandboxLossReason
{
    public long Id { get; init; }
    public string Name { get; set; } = "";
    public int Sort { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>A Digital Pipeline action of our widget on a stage (what the manager configured in amoCRM).</summary>
public sealed class DpTrigger
{
    public long PipelineId { get; init; }
    public long StatusId { get; init; }
    public string Url { get; init; } = "";
    public Dictionary<string, string> Settings { get; init; } = [];
    public bool ActionMultiple { get; init; }
    public string Format { get; init; } = "form";
}

/// <summary>One hook the sandbox sent (DP, install, disconnect), for assertions.</summary>
public sealed record HookDelivery(long Id, long AccountId, string Kind, string Url, string Method, string ContentType, string Body, int? Status, string? Error, long At);
