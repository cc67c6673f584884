using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>
/// One amoCRM account as the planner sees it, read from amoCRM-shaped JSON (the main pipeline is the
/// documentation's example, API-NOTES §8), and a source deal that uses every kind of content.
/// </summary>
internal static class DemoAccount
{
    public const string Referer = "demo.amocrm.ru";
    public const long AccountId = 12345678;

    public const long MainPipeline = 3177727;
    public const long MainUnsorted = 32392156;
    public const long MainFirst = 32392159;
    public const long MainDecision = 32392165;

    public const long OtherPipeline = 5000;
    public const long OtherUnsorted = 5001;
    public const long OtherFirst = 5002; // listed after 5003 but sorted first
    public const long OtherSecond = 5003;

    public const long Won = PipelineStatus.WonStatusId;
    public const long Lost = PipelineStatus.LostStatusId;

    public const long Anna = 11, Boris = 12, Inactive = 13, FreeSeat = 14, Requester = Anna;

    public const long TextField = 101, SelectField = 102, MultiselectField = 103, RadioField = 104, ChainedField = 105,
        NumericField = 106, ComputedField = 107, DateField = 108, CheckboxField = 109, SmartAddressField = 111,
        TextareaField = 112, LegalEntityField = 113, CategoryField = 114, MarkerField = 900, DeletedField = 999;

    public const long SourceId = 4242;
    public const string JobId = "0123456789abcdef0123456789abcdef";
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 30, 0, TimeSpan.Zero);

    private const string MainPipelineJson = """
        {"id":3177727,"name":"Воронка","sort":1,"is_main":true,"is_unsorted_on":true,"is_archive":false,"account_id":12345678,
         "_embedded":{"statuses":[
           {"id":32392156,"name":"Неразобранное","sort":10,"is_editable":false,"pipeline_id":3177727,"color":"#c1c1c1","type":1,"account_id":12345678},
           {"id":32392159,"name":"Первичный контакт","sort":20,"is_editable":true,"pipeline_id":3177727,"color":"#99ccff","type":0,"account_id":12345678},
           {"id":32392165,"name":"Принимают решение","sort":30,"is_editable":true,"pipeline_id":3177727,"color":"#ffcc66","type":0,"account_id":12345678},
           {"id":142,"name":"Успешно реализовано","sort":10000,"is_editable":false,"pipeline_id":3177727,"color":"#CCFF66","type":0,"account_id":12345678},
           {"id":143,"name":"Закрыто и не реализовано","sort":11000,"is_editable":false,"pipeline_id":3177727,"color":"#D5D8DB","type":0,"account_id":12345678}]}}
        """;

    private const string OtherPipelineJson = """
        {"id":5000,"name":"Повторные продажи","sort":2,"is_main":false,"is_unsorted_on":true,"is_archive":false,"account_id":12345678,
         "_embedded":{"statuses":[
           {"id":5001,"name":"Неразобранное","sort":10,"type":1,"pipeline_id":5000},
           {"id":5003,"name":"Переговоры","sort":30,"type":0,"pipeline_id":5000},
           {"id":142,"name":"Успешно реализовано","sort":10000,"type":0,"pipeline_id":5000},
           {"id":5002,"name":"Новая заявка","sort":20,"type":0,"pipeline_id":5000},
           {"id":143,"name":"Закрыто и не реализовано","sort":11000,"type":0,"pipeline_id":5000}]}}
        """;

    private const string FieldsJson = """
        [{"id":101,"name":"Комментарий","type":"text","entity_type":"leads"},
         {"id":102,"name":"Источник","type":"select","enums":[{"id":1021,"value":"Сайт"},{"id":1022,"value":"Звонок"}]},
         {"id":103,"name":"Интересы","type":"multiselect","enums":[{"id":1031,"value":"A"},{"id":1032,"value":"B"},{"id":1033,"value":"C"}]},
         {"id":104,"name":"Канал","type":"radiobutton","enums":[{"id":1041,"value":"Да"},{"id":1042,"value":"Нет"}]},
         {"id":105,"name":"Модель","type":"chained_list","chained_lists":[{"title":"Марка","catalog_id":1001,"parent_catalog_id":null}]},
         {"id":106,"name":"Количество","type":"numeric"},
         {"id":107,"name":"Маржа","type":"numeric","is_computed":true},
         {"id":108,"name":"Дата поставки","type":"date"},
         {"id":109,"name":"Срочно","type":"checkbox"},
         {"id":111,"name":"Адрес","type":"smart_address"},
         {"id":112,"name":"Описание","type":"textarea"},
         {"id":113,"name":"Юрлицо","type":"legal_entity"},
         {"id":114,"name":"Категория","type":"category"},
         {"id":900,"name":"Скопировано из (DealCopy)","code":"DEALCOPY_SOURCE","type":"url","is_api_only":true}]
        """;

    private const string UsersJson = """
        [{"id":11,"name":"Анна","rights":{"is_active":true,"is_free":false}},
         {"id":12,"name":"Борис","rights":{"is_active":true,"is_free":false}},
         {"id":13,"name":"Уволен","rights":{"is_active":false,"is_free":false}},
         {"id":14,"name":"Бесплатное место","rights":{"is_active":true,"is_free":true}}]
        """;

    /// <summary>A deal in the main pipeline's "decision" stage with every kind of content (API-NOTES §4.2 shape).</summary>
    private const string SourceJson = """
        {"id":4242,"name":"Поставка","price":1500,"responsible_user_id":12,"group_id":0,"status_id":32392165,"pipeline_id":3177727,
         "loss_reason_id":null,"created_by":12,"created_at":1700000000,"account_id":12345678,
         "custom_fields_values":[
           {"field_id":101,"field_name":"Комментарий","field_type":"text","values":[{"value":"позвонить после обеда"}]},
           {"field_id":102,"field_name":"Источник","field_type":"select","values":[{"value":"Сайт","enum_id":1021,"enum_code":null}]},
           {"field_id":103,"field_name":"Интересы","field_type":"multiselect","values":[{"value":"A","enum_id":1031},{"value":"C","enum_id":1033}]},
           {"field_id":104,"field_name":"Канал","field_type":"radiobutton","values":[{"value":"Нет","enum_id":1042}]},
           {"field_id":105,"field_name":"Модель","field_type":"chained_list","values":[{"catalog_id":1001,"catalog_element_id":12235,"value":"Volvo"}]},
           {"field_id":106,"field_name":"Количество","field_type":"numeric","values":[{"value":"1.5"}]},
           {"field_id":107,"field_name":"Маржа","field_type":"numeric","values":[{"value":"300"}]},
           {"field_id":108,"field_name":"Дата поставки","field_type":"date","values":[{"value":1577836800}]},
           {"field_id":109,"field_name":"Срочно","field_type":"checkbox","values":[{"value":true}]},
           {"field_id":111,"field_name":"Адрес","field_type":"smart_address","values":[{"value":"Москва","enum_id":3,"enum_code":"city"}]},
           {"field_id":113,"field_name":"Юрлицо","field_type":"legal_entity","values":[{"value":{"name":"ООО Ромашка","entity_type":1,"vat_id":"7700000000"}}]},
           {"field_id":114,"field_name":"Категория","field_type":"category","values":[{"value":"Опт","enum_id":1141}]},
           {"field_id":999,"field_name":"Старое поле","field_type":"text","values":[{"value":"удалено"}]},
           {"field_id":900,"field_name":"Скопировано из (DealCopy)","field_type":"url","values":[{"value":"https://demo.amocrm.ru/leads/detail/1#dealcopy-ffff-1"}]}],
         "_embedded":{
           "tags":[{"id":7,"name":"vip","color":null},{"id":8,"name":"опт","color":null}],
           "companies":[{"id":300}],
           "contacts":[{"id":501,"is_main":false},{"id":502,"is_main":true},{"id":503,"is_main":false}],
           "catalog_elements":[{"id":601,"metadata":{"quantity":3,"catalog_id":77,"price_id":88}},{"id":602,"metadata":{"quantity":null,"catalog_id":77,"price_id":null}}]}}
        """;

    public static AccountMetadata Metadata() => new(
        AccountId,
        Referer,
        [AmoJson.Deserialize<Pipeline>(MainPipelineJson), AmoJson.Deserialize<Pipeline>(OtherPipelineJson)],
        AmoJson.Deserialize<List<CustomField>>(FieldsJson),
        AmoJson.Deserialize<List<User>>(UsersJson),
        [new LossReason { Id = 4203748, Name = "Дорого" }],
        MarkerField,
        Now);

    /// <summary>A fresh source deal (tests may change it).</summary>
    public static Lead Source(Action<Lead>? change = null)
    {
        var lead = AmoJson.Deserialize<Lead>(SourceJson);
        change?.Invoke(lead);
        return lead;
    }

    public static CopyOptions Options(long pipeline = MainPipeline, long? status = null, ResponsibleRule? responsible = null,
        string template = CopyOptions.DefaultNameTemplate, CopyContent? content = null) =>
        new(pipeline, status, responsible ?? ResponsibleRule.Keep, template, content ?? CopyContent.Everything, OriginalAction.Leave, 1);

    public static CopyContext Context(int n = 1, int sequence = 0) => new(JobId, n, sequence, Now, Requester);

    public static LeadCopyDraft Plan(Lead? source = null, CopyOptions? options = null, CopyContext? context = null) =>
        CopyPlan.Plan(source ?? Source(), Metadata(), options ?? Options(), context ?? Context());

    /// <summary>The JSON amoCRM would receive for the planned lead.</summary>
    public static JObject Sent(LeadCopyDraft draft) => (JObject)AmoJson.ToToken(draft.Lead);

    /// <summary>The values sent for one field, or null when the field is not sent.</summary>
    public static JArray? SentValues(LeadCopyDraft draft, long fieldId) =>
        (JArray?)Sent(draft)["custom_fields_values"]?.FirstOrDefault(f => (long?)f["field_id"] == fieldId)?["values"];
}
