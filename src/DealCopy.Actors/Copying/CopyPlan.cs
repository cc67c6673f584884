using System.Globalization;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;

namespace DealCopy.Actors.Copying;

/// <summary>What the copy planner knows about an account (cached by the account actor).</summary>
public sealed record AccountMetadata(
    long AccountId,
    string Referer,
    IReadOnlyList<Pipeline> Pipelines,
    IReadOnlyList<CustomField> LeadFields,
    IReadOnlyList<User> Users,
    IReadOnlyList<LossReason> LossReasons,
    long MarkerFieldId,
    DateTimeOffset LoadedAt)
{
    /// <summary>The account's groups of users (<c>account?with=users_groups</c>); the default group 0 is implied.</summary>
    public IReadOnlyList<UsersGroup> Groups { get; init; } = [];

    public Pipeline? Pipeline(long id) => Pipelines.FirstOrDefault(p => p.Id == id);

    public User? User(long id) => Users.FirstOrDefault(u => u.Id == id);

    public CustomField? Field(long id) => LeadFields.FirstOrDefault(f => f.Id == id);

    /// <summary>The first regular stage (never Unsorted, never won/lost) of a pipeline.</summary>
    public static PipelineStatus FirstRegular(Pipeline p) =>
        p.Statuses.Where(s => !s.IsUnsorted && s.Id is not (PipelineStatus.WonStatusId or PipelineStatus.LostStatusId))
            .OrderBy(s => s.Sort ?? int.MaxValue).First();
}

/// <summary>Where one copy sits in its job: the n-th copy of a source, the sequence number for round-robin.</summary>
public sealed record CopyContext(string JobId, int N, int Sequence, DateTimeOffset Now, long RequestedBy, RuleMark? Rule = null);

/// <summary>One planned copy: the lead to create, its products to link, what could not be copied.</summary>
public sealed record LeadCopyDraft(LeadWrite Lead, IReadOnlyList<LinkWrite> Products, IReadOnlyList<SkippedField> Skipped);

/// <summary>
/// Pure copy planning (ARCHITECTURE §4): from a source lead, the account's metadata and the options to
/// the lead to create and everything that goes with it. No I/O, no clock: the caller passes both in.
/// </summary>
public static class CopyPlan
{
    public const int TextLimit = 256;
    private static readonly HashSet<string> EnumTypes = [CustomFieldTypes.Select, CustomFieldTypes.Multiselect, CustomFieldTypes.Radiobutton, CustomFieldTypes.Category];

    public static LeadCopyDraft Plan(Lead source, AccountMetadata meta, CopyOptions options, CopyContext ctx)
    {
        var skipped = new List<SkippedField>();
        var pipeline = meta.Pipeline(options.TargetPipelineId) ?? throw new InvalidOperationException($"pipeline {options.TargetPipelineId} is unknown");
        var statusId = TargetStatus(source, pipeline, options.TargetStatusId);
        var content = options.Content;

        var lead = new LeadWrite
        {
            Name = NameTemplate.Render(options.NameTemplate, source, ctx),
            PipelineId = pipeline.Id, // always sent: 142/143 exist in every pipeline (API-NOTES §4.4)
            StatusId = statusId,
            ResponsibleUserId = Responsible(source, meta, options.Responsible, ctx, skipped),
            Price = content.Price ? source.Price : null,
            CreatedBy = ctx.RequestedBy,
            RequestId = RequestId(ctx.JobId, source.Id, ctx.N),
        };
        if (statusId == PipelineStatus.LostStatusId && source.LossReasonId is { } lossReason)
            lead.LossReasonId = lossReason;

        var values = Fields(source, meta, content, skipped);
        values.Add(new CustomFieldValues
        {
            FieldId = meta.MarkerFieldId,
            Values = [CustomFieldValue.Of(Marker.Value(meta.Referer, source.Id, ctx.JobId, ctx.N, ctx.Rule))],
        });
        lead.CustomFieldsValues = values;

        var embedded = new LeadWriteEmbedded();
        if (content.Tags && source.Tags.Count > 0) embedded.Tags = source.Tags.Select(t => TagRef.ById(t.Id)).ToList();
        if (content.Contacts && source.Contacts.Count > 0)
        {
            // the main contact stays main; if amoCRM marked none, the first one is
            var hasMain = source.Contacts.Any(c => c.IsMain == true);
            embedded.Contacts = source.Contacts.Select((c, i) => new LeadContactWrite { Id = c.Id, IsMain = hasMain ? c.IsMain == true : i == 0 }).ToList();
        }
        if (content.Company && source.Embedded?.Companies is { Count: > 0 } companies)
            embedded.Companies = [new EntityRef { Id = companies[0].Id }];
        if (embedded.Tags is not null || embedded.Contacts is not null || embedded.Companies is not null) lead.Embedded = embedded;

        var products = content.Products && source.Embedded?.CatalogElements is { } elements
            ? elements.Select(e => new LinkWrite
            {
                ToEntityId = e.Id,
                ToEntityType = LinkTypes.CatalogElements,
                Metadata = new LinkWriteMetadata { CatalogId = e.Metadata?.CatalogId, Quantity = e.Metadata?.Quantity ?? 1, PriceId = e.Metadata?.PriceId },
            }).ToList()
            : [];
        return new LeadCopyDraft(lead, products, skipped);
    }

    /// <summary>
    /// Chunks of whole items whose entity count stays within <paramref name="max"/> where possible (an item counts as
    /// at least 1): how a job groups its creates, and how the preview counts them.
    /// </summary>
    public static IEnumerable<List<T>> Chunks<T>(IEnumerable<T> items, Func<T, int> size, int max)
    {
        var chunk = new List<T>();
        var total = 0;
        foreach (var item in items)
        {
            var s = Math.Max(1, size(item));
            if (chunk.Count > 0 && total + s > max)
            {
                yield return chunk;
                chunk = [];
                total = 0;
            }
            chunk.Add(item);
            total += s;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    /// <summary>The request id of a copy: unique per job, source and copy number, so results map back across batches.</summary>
    public static string RequestId(string jobId, long sourceId, int n) => $"{jobId[..Math.Min(12, jobId.Length)]}:{sourceId}:{n}";

    /// <summary>
    /// The copy's stage: the chosen one; else the source's when it stays in its pipeline and is a regular
    /// stage; else the first regular stage. Never Unsorted (API-NOTES §8).
    /// </summary>
    public static long TargetStatus(Lead source, Pipeline target, long? chosen)
    {
        if (chosen is { } id && target.Statuses.FirstOrDefault(s => s.Id == id) is { IsUnsorted: false }) return id;
        if (source.PipelineId == target.Id && source.StatusId is { } current &&
            current is not (PipelineStatus.WonStatusId or PipelineStatus.LostStatusId) &&
            target.Statuses.FirstOrDefault(s => s.Id == current) is { IsUnsorted: false })
            return current;
        return AccountMetadata.FirstRegular(target).Id;
    }

    private static long? Responsible(Lead source, AccountMetadata meta, ResponsibleRule rule, CopyContext ctx, List<SkippedField> skipped)
    {
        switch (rule.Mode)
        {
            case ResponsibleMode.Fixed:
                return rule.UserIds[0];
            case ResponsibleMode.RoundRobin:
                return rule.UserIds[ctx.Sequence % rule.UserIds.Count];
            default:
                var keep = source.ResponsibleUserId;
                // amoCRM refuses an inactive responsible; a user who left the account is as unusable
                if (keep is { } id && (meta.User(id) is { CanBeResponsible: false } || (meta.Users.Count > 0 && meta.User(id) is null)))
                {
                    // a rule (RequestedBy 0, the robot) leaves the choice to amoCRM: the installing user
                    skipped.Add(SkippedField.Of(0, "Ответственный", "responsible_user_id", ctx.RequestedBy == 0
                        ? Reason.Of("responsible.unusable_installer", $"user {id} is inactive, a free seat or no longer in the account; amoCRM assigns the copy to the user who installed DealCopy", ("user_id", id))
                        : Reason.Of("responsible.unusable_requester", $"user {id} is inactive, a free seat or no longer in the account; the copy is assigned to the user who started the copy", ("user_id", id))));
                    return ctx.RequestedBy == 0 ? null : ctx.RequestedBy;
                }
                return keep;
        }
    }

    private static List<CustomFieldValues> Fields(Lead source, AccountMetadata meta, CopyContent content, List<SkippedField> skipped)
    {
        var result = new List<CustomFieldValues>();
        foreach (var values in source.CustomFieldsValues ?? [])
        {
            if (values.FieldId is not { } fieldId || fieldId == meta.MarkerFieldId) continue;
            if (!content.AllFields && !content.FieldIds.Contains(fieldId)) continue;
            var field = meta.Field(fieldId);
            var name = field?.Name ?? values.FieldName ?? fieldId.ToString(CultureInfo.InvariantCulture);
            var type = field?.Type ?? values.FieldType ?? "unknown";
            var reason = WhyNot(field, values);
            if (reason is not null)
            {
                skipped.Add(SkippedField.Of(fieldId, name, type, reason));
                continue;
            }
            result.Add(new CustomFieldValues { FieldId = fieldId, Values = values.Values!.Select(v => WriteValue(type, v)).ToList() });
        }
        return result;
    }

    /// <summary>Why a field cannot be written to a new lead, or null when it can (API-NOTES §7.4).</summary>
    public static string? WhyNotCopyable(CustomField? field, CustomFieldValues? values = null) => WhyNot(field, values)?.Message;

    /// <summary>Why a field cannot be written to a new lead, with its code (docs/API.md), or null when it can.</summary>
    public static Reason? WhyNot(CustomField? field, CustomFieldValues? values = null)
    {
        if (field is null) return Reason.Of("field.gone", "the field no longer exists in the account");
        if (field.IsComputed == true) return Reason.Of("field.computed", "computed (formula) field: amoCRM calculates it");
        if (field.Type is null || !CustomFieldTypes.OnLeads.Contains(field.Type))
            return Reason.Of("field.type_not_writable", $"field type '{field.Type}' cannot be written on deals", ("type", field.Type));
        if (values?.Values is null || values.Values.Count == 0) return Reason.Of("field.empty", "the field has no value");
        if (field.Type == CustomFieldTypes.Text && values.Values.Any(v => v.Value?.Type == JTokenType.String && ((string?)v.Value)!.Length > TextLimit))
            return Reason.Of("field.text_too_long", $"text longer than {TextLimit} characters cannot be written through the amoCRM API", ("limit", TextLimit));
        return null;
    }

    /// <summary>The write shape of a read value: enums by id (same account), chained lists by catalog element, others as read.</summary>
    private static CustomFieldValue WriteValue(string type, CustomFieldValue v)
    {
        if (EnumTypes.Contains(type) && v.EnumId is { } enumId) return CustomFieldValue.OfEnum(enumId);
        if (type == CustomFieldTypes.ChainedList) return new CustomFieldValue { CatalogId = v.CatalogId, CatalogElementId = v.CatalogElementId };
        if (type == CustomFieldTypes.SmartAddress) return new CustomFieldValue { Value = v.Value?.DeepClone(), EnumId = v.EnumId };
        return new CustomFieldValue { Value = v.Value?.DeepClone() };
    }

    /// <summary>Notes to copy: creatable types only, never re-triggering the Digital Pipeline (API-NOTES §11).</summary>
    public static List<NoteWrite> Notes(IEnumerable<Note> sourceNotes, long copyId) =>
        // DealCopy's own trace notes are never copied: a retried step re-reads a source that already carries
        // "Создана копия сделки" notes of its earlier copies, and a copy of a copy gets its own trace
        sourceNotes.Where(n => NoteTypes.IsCreatable(n.NoteType) && n.Params is not null && !IsTrace(n))
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new NoteWrite
            {
                EntityId = copyId,
                NoteType = n.NoteType!,
                Params = (JObject)n.Params!.DeepClone(),
                ResponsibleUserId = n.ResponsibleUserId,
                CreatedBy = n.CreatedBy,
                IsNeedToTriggerDigitalPipeline = false,
            }).ToList();

    /// <summary>Whether a note is one of DealCopy's trace notes (a service message DealCopy wrote).</summary>
    public static bool IsTrace(Note note) =>
        note.NoteType == "service_message" && string.Equals((string?)note.Params?["service"], TraceService, StringComparison.Ordinal);

    private const string TraceService = "DealCopy";

    /// <summary>The trace: a note in the source naming the copy, and one in the copy naming the source.</summary>
    public static (NoteWrite InSource, NoteWrite InCopy) TraceNotes(string referer, long sourceId, long copyId) =>
        (NoteWrite.ServiceMessage(sourceId, TraceService, $"Создана копия сделки: #{copyId} https://{referer}/leads/detail/{copyId}"),
         NoteWrite.ServiceMessage(copyId, TraceService, $"Копия сделки #{sourceId} https://{referer}/leads/detail/{sourceId}"));

    /// <summary>Tasks to copy, reassigned to the copy's responsible; open tasks due in the past are moved to tomorrow.</summary>
    public static List<TaskWrite> Tasks(IEnumerable<AmoTask> sourceTasks, long copyId, long? responsible, CopyContent content, DateTimeOffset now)
    {
        var tomorrow = now.AddDays(1).ToUnixTimeSeconds();
        return sourceTasks
            .Where(t => t.IsCompleted == true ? content.FinishedTasks : content.OpenTasks)
            .Where(t => !string.IsNullOrEmpty(t.Text))
            .OrderBy(t => t.Id)
            .Select(t => new TaskWrite
            {
                EntityId = copyId,
                EntityType = "leads",
                Text = t.Text,
                CompleteTill = t.IsCompleted != true && (t.CompleteTill ?? 0) < now.ToUnixTimeSeconds() ? tomorrow : t.CompleteTill ?? tomorrow,
                ResponsibleUserId = responsible ?? t.ResponsibleUserId,
                TaskTypeId = t.TaskTypeId,
                Duration = t.Duration,
                IsCompleted = t.IsCompleted == true,
                Result = t.IsCompleted == true && t.ResultText is { } r ? new TaskResultWrite { Text = r } : null,
            }).ToList();
    }
}
