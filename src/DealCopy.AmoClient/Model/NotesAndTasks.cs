using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Model;

/// <summary>A note on a lead (API-NOTES §11). <see cref="Params"/> depends on <see cref="NoteType"/>.</summary>
public sealed class Note : AmoEntity
{
    public long Id { get; set; }
    public long? EntityId { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? GroupId { get; set; }
    public string? NoteType { get; set; }
    public JObject? Params { get; set; }
    public long? AccountId { get; set; }
    public bool? IsPinned { get; set; }

    /// <summary>Whether this note's type can be created through the API (system notes cannot).</summary>
    public bool IsCreatable => NoteTypes.IsCreatable(NoteType);
}

/// <summary>A note to create (`POST /api/v4/leads/notes`).</summary>
public sealed class NoteWrite
{
    public long EntityId { get; set; }
    public string NoteType { get; set; } = NoteTypes.Common;
    public JObject? Params { get; set; }
    public long? CreatedBy { get; set; }
    public long? ResponsibleUserId { get; set; }
    /// <summary>amoCRM's default is true; send false so copied notes do not fire Digital Pipeline triggers.</summary>
    public bool? IsNeedToTriggerDigitalPipeline { get; set; }
    public string? RequestId { get; set; }

    public static NoteWrite Common(long entityId, string text) =>
        new() { EntityId = entityId, NoteType = NoteTypes.Common, Params = new JObject { ["text"] = text }, IsNeedToTriggerDigitalPipeline = false };

    public static NoteWrite ServiceMessage(long entityId, string service, string text) =>
        new()
        {
            EntityId = entityId,
            NoteType = NoteTypes.ServiceMessage,
            Params = new JObject { ["service"] = service, ["text"] = text },
            IsNeedToTriggerDigitalPipeline = false,
        };
}

/// <summary>Note types; only <see cref="Creatable"/> ones can be created through the API.</summary>
public static class NoteTypes
{
    public const string Common = "common";
    public const string CallIn = "call_in";
    public const string CallOut = "call_out";
    public const string ServiceMessage = "service_message";
    public const string ExtendedServiceMessage = "extended_service_message";
    public const string MessageCashier = "message_cashier";
    public const string Geolocation = "geolocation";
    public const string SmsIn = "sms_in";
    public const string SmsOut = "sms_out";
    public const string Attachment = "attachment";

    public static IReadOnlySet<string> Creatable { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Common, CallIn, CallOut, ServiceMessage, ExtendedServiceMessage, MessageCashier, Geolocation, SmsIn, SmsOut, Attachment,
    };

    public static bool IsCreatable(string? noteType) => noteType is not null && Creatable.Contains(noteType);
}

/// <summary>A task (API-NOTES §12). Named AmoTask to stay clear of <see cref="System.Threading.Tasks.Task"/>.</summary>
public sealed class AmoTask : AmoEntity
{
    public long Id { get; set; }
    public long? CreatedBy { get; set; }
    public long? UpdatedBy { get; set; }
    public long? CreatedAt { get; set; }
    public long? UpdatedAt { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? GroupId { get; set; }
    public long? EntityId { get; set; }
    public string? EntityType { get; set; }
    public long? Duration { get; set; }
    public bool? IsCompleted { get; set; }
    public long? TaskTypeId { get; set; }
    public string? Text { get; set; }
    /// <summary><c>{"text": ...}</c> for completed tasks with a result; amoCRM sends <c>[]</c> when there is none.</summary>
    public JToken? Result { get; set; }
    public long? CompleteTill { get; set; }
    public long? AccountId { get; set; }

    /// <summary>The result text, if any.</summary>
    public string? ResultText => Result is JObject o ? (string?)o["text"] : null;
}

/// <summary>A task to create (`POST /api/v4/tasks`). <see cref="Text"/> and <see cref="CompleteTill"/> are required.</summary>
public sealed class TaskWrite
{
    public long? Id { get; set; }
    public string? Text { get; set; }
    public long? CompleteTill { get; set; }
    public long? ResponsibleUserId { get; set; }
    public long? EntityId { get; set; }
    public string? EntityType { get; set; }
    public bool? IsCompleted { get; set; }
    public long? TaskTypeId { get; set; }
    public long? Duration { get; set; }
    public TaskResultWrite? Result { get; set; }
    public long? CreatedBy { get; set; }
    public string? RequestId { get; set; }
}

/// <summary>The result of a completed task.</summary>
public sealed class TaskResultWrite
{
    public string? Text { get; set; }
}
