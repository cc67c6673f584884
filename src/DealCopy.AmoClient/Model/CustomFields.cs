using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Model;

/// <summary>A field's values on an entity (`custom_fields_values[]`), the same shape for reading and writing.</summary>
public sealed class CustomFieldValues : AmoEntity
{
    public long? FieldId { get; set; }
    public string? FieldCode { get; set; }
    /// <summary>Read only: amoCRM sends it, ignores it on write.</summary>
    public string? FieldName { get; set; }
    /// <summary>Read only: the field type (text, select, date, legal_entity...).</summary>
    public string? FieldType { get; set; }

    /// <summary>The values; <c>null</c> is sent as <c>"values": null</c>, which clears the field.</summary>
    [JsonProperty(NullValueHandling = NullValueHandling.Include)]
    public List<CustomFieldValue>? Values { get; set; }

    /// <summary>The value to write back for a value that was read: the field by id, values as read.</summary>
    public CustomFieldValues ForWrite() => new()
    {
        FieldId = FieldId,
        FieldCode = FieldId is null ? FieldCode : null,
        Values = Values?.Select(v => v.Clone()).ToList(),
    };
}

/// <summary>
/// One value of a custom field. Deliberately flexible (API-NOTES §7.3): <see cref="Value"/> is a string,
/// number, boolean or object depending on the field type; lists use <see cref="EnumId"/>/<see cref="EnumCode"/>,
/// chained lists use <see cref="CatalogId"/>/<see cref="CatalogElementId"/>.
/// </summary>
public sealed class CustomFieldValue : AmoEntity
{
    public JToken? Value { get; set; }
    public long? EnumId { get; set; }
    public string? EnumCode { get; set; }
    /// <summary>Read only on contacts' multitext (PHONE/EMAIL): the enum's code as amoCRM sends it (`"enum":"WORK"`).</summary>
    public string? Enum { get; set; }
    public long? CatalogId { get; set; }
    public long? CatalogElementId { get; set; }

    public static CustomFieldValue Of(JToken value) => new() { Value = value };
    public static CustomFieldValue OfEnum(long enumId) => new() { EnumId = enumId };

    /// <summary>A deep copy (values are mutable JTokens).</summary>
    public CustomFieldValue Clone() => new()
    {
        Value = Value?.DeepClone(),
        EnumId = EnumId,
        EnumCode = EnumCode,
        Enum = Enum,
        CatalogId = CatalogId,
        CatalogElementId = CatalogElementId,
        Extra = Extra?.ToDictionary(kv => kv.Key, kv => kv.Value.DeepClone()),
    };
}

/// <summary>The field types amoCRM knows (API-NOTES §7.2).</summary>
public static class CustomFieldTypes
{
    public const string Text = "text";
    public const string Numeric = "numeric";
    public const string Checkbox = "checkbox";
    public const string Select = "select";
    public const string Multiselect = "multiselect";
    public const string Multitext = "multitext";
    public const string Date = "date";
    public const string Url = "url";
    public const string Textarea = "textarea";
    public const string Radiobutton = "radiobutton";
    public const string StreetAddress = "streetaddress";
    public const string SmartAddress = "smart_address";
    public const string Birthday = "birthday";
    public const string LegalEntity = "legal_entity";
    public const string DateTime = "date_time";
    public const string Price = "price";
    public const string Category = "category";
    public const string Items = "items";
    public const string TrackingData = "tracking_data";
    public const string LinkedEntity = "linked_entity";
    public const string ChainedList = "chained_list";
    public const string Monetary = "monetary";
    public const string File = "file";
    public const string Payer = "payer";
    public const string Supplier = "supplier";

    /// <summary>The types a lead can have.</summary>
    public static IReadOnlyList<string> OnLeads { get; } =
    [
        Text, Numeric, Checkbox, Select, Multiselect, Date, Url, DateTime, Textarea, Radiobutton, StreetAddress,
        SmartAddress, Birthday, LegalEntity, TrackingData, ChainedList, Monetary, File,
    ];
}

/// <summary>A custom field definition (`GET /api/v4/{entity}/custom_fields`).</summary>
public sealed class CustomField : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? Code { get; set; }
    public int? Sort { get; set; }
    public string? Type { get; set; }
    public string? EntityType { get; set; }
    /// <summary>A formula field: read only.</summary>
    public bool? IsComputed { get; set; }
    public bool? IsPredefined { get; set; }
    public bool? IsDeletable { get; set; }
    public bool? IsVisible { get; set; }
    public bool? IsRequired { get; set; }
    public bool? IsApiOnly { get; set; }
    /// <summary>amoCRM sends group ids as strings (e.g. "leads_1581331316"), sometimes as numbers.</summary>
    public string? GroupId { get; set; }
    public JToken? Settings { get; set; }
    public string? Remind { get; set; }
    public string? Currency { get; set; }
    public long? CatalogId { get; set; }
    public List<CustomFieldEnum>? Enums { get; set; }
    public List<CustomFieldNested>? Nested { get; set; }
    public List<StatusRef>? RequiredStatuses { get; set; }
    public List<StatusRef>? HiddenStatuses { get; set; }
    public List<ChainedListSetting>? ChainedLists { get; set; }
    public string? TrackingCallback { get; set; }
    public string? SearchIn { get; set; }
    public long? AccountId { get; set; }
}

/// <summary>An option of a list field.</summary>
public sealed class CustomFieldEnum : AmoEntity
{
    public long? Id { get; set; }
    public string? Value { get; set; }
    public int? Sort { get; set; }
    public string? Code { get; set; }
}

/// <summary>A nested option of a category field.</summary>
public sealed class CustomFieldNested : AmoEntity
{
    public long? Id { get; set; }
    public long? ParentId { get; set; }
    public string? Value { get; set; }
    public int? Sort { get; set; }
}

/// <summary>A pipeline stage reference (required/hidden statuses of a field).</summary>
public sealed class StatusRef : AmoEntity
{
    public long StatusId { get; set; }
    public long PipelineId { get; set; }
}

/// <summary>A level of a chained list field.</summary>
public sealed class ChainedListSetting : AmoEntity
{
    public string? Title { get; set; }
    public long? CatalogId { get; set; }
    public long? ParentCatalogId { get; set; }
}

/// <summary>A custom field to create (`POST /api/v4/{entity}/custom_fields`).</summary>
public sealed class CustomFieldWrite
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }
    public string? Code { get; set; }
    public int? Sort { get; set; }
    public bool? IsApiOnly { get; set; }
    public bool? IsVisible { get; set; }
    public bool? IsRequired { get; set; }
    public string? GroupId { get; set; }
    public JToken? Settings { get; set; }
    public string? Remind { get; set; }
    public string? Currency { get; set; }
    public List<CustomFieldEnum>? Enums { get; set; }
    public List<StatusRef>? RequiredStatuses { get; set; }
    public List<ChainedListSetting>? ChainedLists { get; set; }
    public string? RequestId { get; set; }
}
