using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

public sealed class CopyPlanStageTests
{
    // source stage, target pipeline, chosen stage → the stage the copy lands in
    public static TheoryData<string, long, long, long?, long> Stages => new()
    {
        { "a chosen stage is used", MainDecision, OtherPipeline, OtherSecond, OtherSecond },
        { "a chosen stage in the same pipeline is used", MainDecision, MainPipeline, MainFirst, MainFirst },
        { "a chosen won stage is used", MainDecision, OtherPipeline, Won, Won },
        { "no stage, same pipeline: the source's stage", MainDecision, MainPipeline, null, MainDecision },
        { "no stage, other pipeline: its first regular stage", MainDecision, OtherPipeline, null, OtherFirst },
        { "a source in Unsorted lands in the first regular stage", MainUnsorted, MainPipeline, null, MainFirst },
        { "Unsorted is never chosen even when asked for", MainDecision, OtherPipeline, OtherUnsorted, OtherFirst },
        { "a won source copied without a stage is an open copy", Won, MainPipeline, null, MainFirst },
        { "a lost source copied without a stage is an open copy", Lost, MainPipeline, null, MainFirst },
        { "a won source moved to another pipeline is an open copy", Won, OtherPipeline, null, OtherFirst },
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void Copy_lands_in_the_expected_stage_and_always_names_its_pipeline(string rule, long sourceStatus, long targetPipeline, long? chosen, long expected)
    {
        var draft = Plan(Source(l => l.StatusId = sourceStatus), Options(targetPipeline, chosen));

        var sent = Sent(draft);
        Assert.True((long?)sent["status_id"] == expected, $"{rule}: expected stage {expected}, got {sent["status_id"]}");
        Assert.Equal(targetPipeline, (long?)sent["pipeline_id"]);
    }

    [Theory]
    [InlineData(Lost, true)]
    [InlineData(Won, false)]
    [InlineData(MainFirst, false)]
    [InlineData(null, false)]
    public void Loss_reason_travels_only_into_the_lost_stage(long? chosen, bool kept)
    {
        var source = Source(l => { l.StatusId = Lost; l.LossReasonId = 4203748; });

        var sent = Sent(Plan(source, Options(MainPipeline, chosen)));

        Assert.Equal(kept ? 4203748 : null, (long?)sent["loss_reason_id"]);
    }
}

public sealed class CopyPlanResponsibleTests
{
    [Fact]
    public void Keep_keeps_the_source_responsible()
    {
        var draft = Plan();

        Assert.Equal(Boris, draft.Lead.ResponsibleUserId);
        Assert.DoesNotContain(draft.Skipped, s => s.Type == "responsible_user_id");
    }

    [Theory]
    [InlineData(Inactive)]
    [InlineData(FreeSeat)]
    public void Keep_with_a_user_who_cannot_be_responsible_gives_the_copy_to_the_requester_and_says_so(long unusable)
    {
        var draft = Plan(Source(l => l.ResponsibleUserId = unusable));

        Assert.Equal(Requester, draft.Lead.ResponsibleUserId);
        var skip = Assert.Single(draft.Skipped, s => s.Type == "responsible_user_id");
        Assert.Contains(unusable.ToString(System.Globalization.CultureInfo.InvariantCulture), skip.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Keep_with_a_user_who_left_the_account_gives_the_copy_to_the_requester()
    {
        var draft = Plan(Source(l => l.ResponsibleUserId = 987654));

        Assert.Equal(Requester, draft.Lead.ResponsibleUserId);
        Assert.Single(draft.Skipped, s => s.Type == "responsible_user_id");
    }

    [Fact]
    public void A_rule_copy_of_a_deal_whose_responsible_is_inactive_leaves_the_choice_to_amocrm()
    {
        var draft = Plan(Source(l => l.ResponsibleUserId = Inactive), context: Context() with { RequestedBy = 0 });

        Assert.Null(draft.Lead.ResponsibleUserId); // never responsible_user_id 0, which amoCRM refuses
        Assert.Contains("installed DealCopy", Assert.Single(draft.Skipped, s => s.Type == "responsible_user_id").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_gives_every_copy_to_the_chosen_user()
    {
        var rule = new ResponsibleRule(ResponsibleMode.Fixed, [Anna]);

        var owners = Enumerable.Range(0, 4).Select(seq => Plan(options: Options(responsible: rule), context: Context(sequence: seq)).Lead.ResponsibleUserId);

        Assert.All(owners, o => Assert.Equal(Anna, o));
    }

    [Fact]
    public void Round_robin_cycles_through_the_users_in_sequence()
    {
        var rule = new ResponsibleRule(ResponsibleMode.RoundRobin, [Anna, Boris, 20]);

        var owners = Enumerable.Range(0, 7).Select(seq => Plan(options: Options(responsible: rule), context: Context(sequence: seq)).Lead.ResponsibleUserId).ToList();

        Assert.Equal([Anna, Boris, 20, Anna, Boris, 20, Anna], owners);
    }
}

public sealed class CopyPlanNameTests
{
    [Theory]
    [InlineData("{name}", "Поставка")]
    [InlineData("{name} (копия {n})", "Поставка (копия 3)")]
    [InlineData("Повтор #{id} от {date}", "Повтор #4242 от 27.11.2026")]
    [InlineData("{name}-{n}-{id}-{date}", "Поставка-3-4242-27.11.2026")]
    [InlineData("  {name}  ", "Поставка")]
    public void Name_template_fills_its_placeholders(string template, string expected)
    {
        var draft = Plan(options: Options(template: template), context: Context(n: 3));

        Assert.Equal(expected, (string?)Sent(draft)["name"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_deal_without_a_name_is_copied_as_its_number(string? name)
    {
        var draft = Plan(Source(l => l.Name = name), Options(template: "{name}"));

        Assert.Equal("#4242", draft.Lead.Name);
    }

    [Fact]
    public void A_long_name_is_cut_to_what_amoCRM_accepts()
    {
        var draft = Plan(Source(l => l.Name = new string('я', 300)));

        Assert.Equal(NameTemplate.MaxLength, draft.Lead.Name!.Length);
    }

    [Fact]
    public void Cutting_a_long_name_never_splits_an_emoji()
    {
        var draft = Plan(Source(l => l.Name = new string('a', NameTemplate.MaxLength - 1) + "🙂🙂"));

        Assert.Equal(new string('a', NameTemplate.MaxLength - 1), draft.Lead.Name);
        Assert.True(draft.Lead.Name!.EnumerateRunes().All(r => r != System.Text.Rune.ReplacementChar));
    }
}

public sealed class CopyPlanFieldTests
{
    private static JToken? Only(LeadCopyDraft draft, long fieldId) => Assert.Single(SentValues(draft, fieldId)!);

    [Theory]
    [InlineData(SelectField, new long[] { 1021 })]
    [InlineData(MultiselectField, new long[] { 1031, 1033 })]
    [InlineData(RadioField, new long[] { 1042 })]
    public void List_fields_are_written_by_enum_id_only(long field, long[] enumIds)
    {
        var values = SentValues(Plan(), field)!;

        Assert.Equal(enumIds, values.Select(v => (long)v["enum_id"]!));
        Assert.All(values, v => Assert.Equal(["enum_id"], ((JObject)v).Properties().Select(p => p.Name)));
    }

    [Fact]
    public void Chained_list_is_written_by_catalog_and_element_ids()
    {
        var value = Only(Plan(), ChainedField);

        Assert.True(JToken.DeepEquals(JObject.Parse("""{"catalog_id":1001,"catalog_element_id":12235}"""), value), value!.ToString());
    }

    public static TheoryData<long, string> AsRead => new()
    {
        { TextField, "\"позвонить после обеда\"" },
        { NumericField, "\"1.5\"" },
        { DateField, "1577836800" },
        { CheckboxField, "true" },
        { LegalEntityField, """{"name":"ООО Ромашка","entity_type":1,"vat_id":"7700000000"}""" },
    };

    [Theory]
    [MemberData(nameof(AsRead))]
    public void Other_fields_are_written_with_the_value_as_read(long field, string valueJson)
    {
        var value = Only(Plan(), field);

        Assert.True(JToken.DeepEquals(JObject.Parse($$"""{"value":{{valueJson}}}"""), value), value!.ToString());
    }

    [Fact]
    public void Smart_address_keeps_which_line_each_value_is()
    {
        var value = Only(Plan(), SmartAddressField);

        Assert.True(JToken.DeepEquals(JObject.Parse("""{"value":"Москва","enum_id":3}"""), value), value!.ToString());
    }

    [Theory]
    [InlineData(ComputedField, "computed")]
    [InlineData(DeletedField, "no longer exists")]
    [InlineData(CategoryField, "cannot be written on deals")]
    public void Fields_that_cannot_be_written_are_left_out_and_reported(long field, string reason)
    {
        var draft = Plan();

        Assert.Null(SentValues(draft, field));
        var skip = Assert.Single(draft.Skipped, s => s.FieldId == field);
        Assert.Contains(reason, skip.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256, true)]
    [InlineData(257, false)]
    [InlineData(4000, false)]
    public void Text_over_256_characters_is_left_out_and_reported(int length, bool copied)
    {
        var text = new string('x', length);
        var draft = Plan(Source(l => l.CustomFieldsValues!.Single(f => f.FieldId == TextField).Values![0].Value = text));

        Assert.Equal(copied, SentValues(draft, TextField) is not null);
        Assert.Equal(!copied, draft.Skipped.Any(s => s.FieldId == TextField && s.Reason.Contains("256", StringComparison.Ordinal)));
    }

    [Fact]
    public void Long_text_in_a_textarea_is_copied()
    {
        var text = new string('x', 4000);
        var draft = Plan(Source(l => l.CustomFieldsValues!.Add(new CustomFieldValues { FieldId = TextareaField, Values = [CustomFieldValue.Of(text)] })));

        Assert.Equal(text, (string?)Only(draft, TextareaField)!["value"]);
    }

    [Fact]
    public void Fields_not_selected_are_omitted_without_a_report()
    {
        var content = CopyContent.Everything with { AllFields = false, FieldIds = [SelectField, ComputedField] };

        var draft = Plan(options: Options(content: content));

        var sent = Sent(draft)["custom_fields_values"]!.Select(f => (long)f["field_id"]!).ToList();
        Assert.Equal([SelectField, MarkerField], sent);
        Assert.Equal([ComputedField], draft.Skipped.Select(s => s.FieldId));
    }

    [Fact]
    public void Every_copy_carries_its_own_marker_and_never_the_sources()
    {
        var draft = Plan(context: Context(n: 2));

        var marker = Only(draft, MarkerField);
        Assert.Equal(Marker.Value(Referer, SourceId, JobId, 2), (string?)marker!["value"]);
        Assert.True(Marker.TryParse((string?)marker["value"], out var source, out var job, out var n));
        Assert.Equal((SourceId, JobId, 2), (source, job, n));
    }

    [Fact]
    public void A_deal_without_fields_still_gets_the_marker()
    {
        var draft = Plan(Source(l => l.CustomFieldsValues = null));

        var field = Assert.Single(Sent(draft)["custom_fields_values"]!);
        Assert.Equal(MarkerField, (long)field["field_id"]!);
        Assert.Empty(draft.Skipped);
    }
}

public sealed class CopyPlanContentTests
{
    [Fact]
    public void The_main_contact_stays_main()
    {
        var contacts = Sent(Plan())["_embedded"]!["contacts"]!;

        Assert.True(JToken.DeepEquals(JArray.Parse("""[{"id":501,"is_main":false},{"id":502,"is_main":true},{"id":503,"is_main":false}]"""), contacts), contacts.ToString());
    }

    [Fact]
    public void The_first_contact_becomes_main_when_none_is()
    {
        var source = Source(l => l.Embedded!.Contacts!.ForEach(c => c.IsMain = null));

        var contacts = Sent(Plan(source))["_embedded"]!["contacts"]!;

        Assert.Equal([true, false, false], contacts.Select(c => (bool)c["is_main"]!));
    }

    [Fact]
    public void Company_tags_price_and_products_come_along()
    {
        var draft = Plan();
        var sent = Sent(draft);

        Assert.Equal([300L], sent["_embedded"]!["companies"]!.Select(c => (long)c["id"]!));
        Assert.True(JToken.DeepEquals(JArray.Parse("""[{"id":7},{"id":8}]"""), sent["_embedded"]!["tags"]), sent["_embedded"]!["tags"]!.ToString());
        Assert.Equal(1500m, (decimal?)sent["price"]);
        Assert.Collection(draft.Products,
            p => Assert.Equal((601L, "catalog_elements", 77L, 3m, (long?)88), (p.ToEntityId, p.ToEntityType, p.Metadata!.CatalogId!.Value, p.Metadata.Quantity!.Value, p.Metadata.PriceId)),
            p => Assert.Equal((602L, "catalog_elements", 77L, 1m, (long?)null), (p.ToEntityId, p.ToEntityType, p.Metadata!.CatalogId!.Value, p.Metadata.Quantity!.Value, p.Metadata.PriceId)));
    }

    [Fact]
    public void Content_left_unticked_is_not_sent()
    {
        var nothing = new CopyContent(false, [], false, false, false, false, false, false, false, false);

        var draft = Plan(options: Options(content: nothing));

        var sent = Sent(draft);
        Assert.Null(sent["_embedded"]);
        Assert.Null(sent["price"]);
        Assert.Empty(draft.Products);
        Assert.Equal([MarkerField], sent["custom_fields_values"]!.Select(f => (long)f["field_id"]!));
    }

    [Fact]
    public void The_copy_is_created_by_the_requester_with_a_request_id_naming_job_source_and_number()
    {
        var draft = Plan(context: Context(n: 4));

        Assert.Equal(Requester, draft.Lead.CreatedBy);
        Assert.Equal("0123456789ab:4242:4", draft.Lead.RequestId);
    }
}

public sealed class CopyPlanNotesAndTasksTests
{
    private const long CopyId = 9000;

    private static Note Note(long id, string type, long createdAt, JObject? parameters = null) =>
        new() { Id = id, EntityId = SourceId, NoteType = type, CreatedAt = createdAt, CreatedBy = Boris, ResponsibleUserId = Boris, Params = parameters ?? new JObject { ["text"] = $"note {id}" } };

    [Fact]
    public void Only_creatable_notes_are_copied_in_order_and_never_trigger_the_digital_pipeline()
    {
        Note[] notes =
        [
            Note(3, NoteTypes.Common, 300),
            Note(1, "lead_status_changed", 100),
            Note(2, NoteTypes.CallIn, 200, new JObject { ["uniq"] = "abc", ["duration"] = 60, ["source"] = "pbx", ["phone"] = "+7900" }),
            Note(4, "task_result", 400),
            Note(5, NoteTypes.Common, 50, null),
        ];
        notes[4].Params = null;

        var copied = CopyPlan.Notes(notes, CopyId);

        Assert.Equal([NoteTypes.CallIn, NoteTypes.Common], copied.Select(n => n.NoteType));
        Assert.All(copied, n => Assert.Equal((CopyId, (bool?)false, (long?)Boris), (n.EntityId, n.IsNeedToTriggerDigitalPipeline, n.ResponsibleUserId)));
        Assert.Equal("abc", (string?)copied[0].Params!["uniq"]);
        Assert.Equal("note 3", (string?)copied[1].Params!["text"]);
    }

    [Fact]
    public void DealCopys_own_trace_notes_are_not_copied_but_other_service_messages_are()
    {
        // a retried notes step reads the source again after the trace notes of its first copies were written
        var (inSource, _) = CopyPlan.TraceNotes(Referer, SourceId, 8999);
        Note[] notes =
        [
            Note(1, NoteTypes.Common, 100),
            Note(2, NoteTypes.ServiceMessage, 200, (JObject)inSource.Params!.DeepClone()),
            Note(3, NoteTypes.ServiceMessage, 300, new JObject { ["service"] = "Telephony", ["text"] = "missed call" }),
        ];

        var copied = CopyPlan.Notes(notes, CopyId);

        Assert.Equal(["note 1", "missed call"], copied.Select(n => (string?)n.Params!["text"]));
    }

    [Fact]
    public void Trace_notes_name_each_other()
    {
        var (inSource, inCopy) = CopyPlan.TraceNotes(Referer, SourceId, CopyId);

        Assert.Equal(SourceId, inSource.EntityId);
        Assert.Contains("https://demo.amocrm.ru/leads/detail/9000", (string?)inSource.Params!["text"], StringComparison.Ordinal);
        Assert.Equal(CopyId, inCopy.EntityId);
        Assert.Contains("https://demo.amocrm.ru/leads/detail/4242", (string?)inCopy.Params!["text"], StringComparison.Ordinal);
        Assert.All([inSource, inCopy], n => Assert.Equal((NoteTypes.ServiceMessage, (bool?)false), (n.NoteType, n.IsNeedToTriggerDigitalPipeline)));
    }

    private static readonly long NowSeconds = Now.ToUnixTimeSeconds();
    private static readonly long Tomorrow = Now.AddDays(1).ToUnixTimeSeconds();

    private static AmoTask[] SourceTasks() =>
    [
        new() { Id = 1, Text = "позвонить", IsCompleted = false, CompleteTill = NowSeconds + 3600, ResponsibleUserId = Boris, TaskTypeId = 1 },
        new() { Id = 2, Text = "просрочено", IsCompleted = false, CompleteTill = NowSeconds - 3600, ResponsibleUserId = Boris, TaskTypeId = 2 },
        new() { Id = 3, Text = "сделано", IsCompleted = true, CompleteTill = NowSeconds - 86400, ResponsibleUserId = Boris, Result = JObject.Parse("""{"text":"договорились"}""") },
        new() { Id = 4, Text = "", IsCompleted = false, CompleteTill = NowSeconds + 3600 },
    ];

    public static TheoryData<bool, bool, long[]> Filters => new()
    {
        { true, false, [1, 2] },
        { false, true, [3] },
        { true, true, [1, 2, 3] },
        { false, false, [] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void Open_and_finished_tasks_are_copied_as_chosen(bool open, bool finished, long[] expectedIds)
    {
        var content = CopyContent.Everything with { OpenTasks = open, FinishedTasks = finished };
        var byText = SourceTasks().ToDictionary(t => t.Text!, t => t.Id);

        var copied = CopyPlan.Tasks(SourceTasks(), CopyId, Anna, content, Now);

        Assert.Equal(expectedIds, copied.Select(t => byText[t.Text!]));
    }

    [Fact]
    public void Copied_tasks_belong_to_the_copy_and_its_responsible_and_an_overdue_open_task_is_due_tomorrow()
    {
        var content = CopyContent.Everything with { OpenTasks = true, FinishedTasks = true };

        var copied = CopyPlan.Tasks(SourceTasks(), CopyId, Anna, content, Now);

        Assert.All(copied, t => Assert.Equal((CopyId, "leads", (long?)Anna), (t.EntityId!.Value, t.EntityType!, t.ResponsibleUserId)));
        Assert.Equal([NowSeconds + 3600, Tomorrow, NowSeconds - 86400], copied.Select(t => t.CompleteTill!.Value));
        Assert.Equal([false, false, true], copied.Select(t => t.IsCompleted!.Value));
        Assert.Equal("договорились", copied[2].Result?.Text);
    }

    [Fact]
    public void Without_a_new_responsible_tasks_keep_theirs()
    {
        var copied = CopyPlan.Tasks(SourceTasks(), CopyId, null, CopyContent.Everything with { OpenTasks = true }, Now);

        Assert.All(copied, t => Assert.Equal(Boris, t.ResponsibleUserId));
    }
}
