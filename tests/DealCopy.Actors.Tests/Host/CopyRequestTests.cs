using System.Text.Json.Nodes;
using DealCopy.Actors.Protocol;
using DealCopy.Host.Api;

namespace DealCopy.Actors.Tests.Host;

public sealed class CopyRequestTests
{
    private const long User = 504141;

    private static CopyRequest.Parsed Parse(string json) => CopyRequest.Parse(JsonNode.Parse(json), User);

    [Fact]
    public void A_minimal_body_gets_the_defaults()
    {
        var parsed = Parse("""{"lead_ids":[3912171],"target":{"pipeline_id":3104455}}""");

        Assert.Empty(parsed.Errors);
        var spec = parsed.Spec!;
        Assert.Equal([3912171L], spec.SourceLeadIds);
        Assert.Equal((User, (string?)null), (spec.RequestedBy, spec.IdempotencyKey));
        var o = spec.Options;
        Assert.Equal((3104455L, (long?)null, 1, "{name}"), (o.TargetPipelineId, o.TargetStatusId, o.CopiesPerLead, o.NameTemplate));
        Assert.Equal(ResponsibleMode.Keep, o.Responsible.Mode);
        Assert.Equal(CopyContent.Everything, o.Content);
        Assert.Equal(OriginalAction.Leave, o.Original);
    }

    [Fact]
    public void A_full_body_is_read_as_written()
    {
        var parsed = Parse("""
            {"lead_ids":[1,2,3],"copies":3,"target":{"pipeline_id":10,"status_id":20},
             "responsible":{"mode":"round_robin","user_ids":[7,8]},"name_template":"{name} #{n}",
             "copy":{"fields":[101,102],"price":false,"contacts":true,"company":false,"tags":true,"products":false,"notes":true,"open_tasks":true,"finished_tasks":false},
             "original":{"action":"close_lost","loss_reason_id":5},"idempotency_key":"abc"}
            """);

        Assert.Empty(parsed.Errors);
        var spec = parsed.Spec!;
        var o = spec.Options;
        Assert.Equal([1L, 2, 3], spec.SourceLeadIds);
        Assert.Equal((10L, (long?)20, 3, "{name} #{n}", "abc"), (o.TargetPipelineId, o.TargetStatusId, o.CopiesPerLead, o.NameTemplate, spec.IdempotencyKey));
        Assert.Equal(ResponsibleMode.RoundRobin, o.Responsible.Mode);
        Assert.Equal([7L, 8], o.Responsible.UserIds);
        Assert.False(o.Content.AllFields);
        Assert.Equal([101L, 102], o.Content.FieldIds);
        Assert.Equal((false, true, false, true, false, true, true, false),
            (o.Content.Price, o.Content.Contacts, o.Content.Company, o.Content.Tags, o.Content.Products, o.Content.Notes, o.Content.OpenTasks, o.Content.FinishedTasks));
        Assert.Equal(new OriginalAction(OriginalMode.CloseLost, null, null, 5), o.Original);
    }

    [Theory]
    [InlineData("\"all\"", true)]
    [InlineData("\"none\"", false)]
    public void Fields_can_be_all_or_none(string fields, bool all)
    {
        var content = Parse($$$"""{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"fields":{{{fields}}}}}""").Spec!.Options.Content;

        Assert.Equal((all, 0), (content.AllFields, content.FieldIds.Count));
    }

    [Fact]
    public void Moving_the_original_keeps_where_to()
    {
        var original = Parse("""{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"move","pipeline_id":11,"status_id":12}}""").Spec!.Options.Original;

        Assert.Equal(new OriginalAction(OriginalMode.Move, 11, 12), original);
    }

    private static readonly string Ids501 = string.Join(",", Enumerable.Range(1, 501));

    // a body that is valid except for one thing → the field the error names
    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"target":{"pipeline_id":10}}""", "lead_ids" },
        { """{"lead_ids":"1,2","target":{"pipeline_id":10}}""", "lead_ids" },
        { """{"lead_ids":[],"target":{"pipeline_id":10}}""", "lead_ids" },
        { $$$"""{"lead_ids":[{{{Ids501}}}],"target":{"pipeline_id":10}}""", "lead_ids" },
        { """{"lead_ids":[1,2,1],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1,2,0],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1,2,-5],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1,2,"3"],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1,2,1.5],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1,2,null],"target":{"pipeline_id":10}}""", "lead_ids[2]" },
        { """{"lead_ids":[1],"copies":0,"target":{"pipeline_id":10}}""", "copies" },
        { """{"lead_ids":[1],"copies":51,"target":{"pipeline_id":10}}""", "copies" },
        { """{"lead_ids":[1],"copies":"2","target":{"pipeline_id":10}}""", "copies" },
        { """{"lead_ids":[1],"copies":2.5,"target":{"pipeline_id":10}}""", "copies" },
        { """{"lead_ids":[1]}""", "target" },
        { """{"lead_ids":[1],"target":10}""", "target" },
        { """{"lead_ids":[1],"target":{}}""", "target.pipeline_id" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10,"status_id":"first"}}""", "target.status_id" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":"keep"}""", "responsible" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"random"}}""", "responsible.mode" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"fixed"}}""", "responsible.user_ids" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"fixed","user_ids":[7,8]}}""", "responsible.user_ids" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"round_robin","user_ids":[]}}""", "responsible.user_ids" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"round_robin","user_ids":[7,"x"]}}""", "responsible.user_ids[1]" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"colour":"red"}""", "colour" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"fields":"some"}}""", "copy.fields" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"fields":42}}""", "copy.fields" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"fields":[101,"x"]}}""", "copy.fields[1]" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"price":"yes"}}""", "copy.price" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"attachments":true}}""", "copy.attachments" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":[]}""", "copy" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"move"}}""", "original.status_id" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"move","pipeline_id":11}}""", "original.status_id" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"delete"}}""", "original.action" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"close_lost","loss_reason_id":-1}}""", "original.loss_reason_id" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"name_template":"{name} {title}"}""", "name_template" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"name_template":""}""", "name_template" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"name_template":5}""", "name_template" },
        { $$$"""{"lead_ids":[1],"target":{"pipeline_id":10},"idempotency_key":"{{{new string('k', 201)}}}"}""", "idempotency_key" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"idempotency_key":""}""", "idempotency_key" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"idempotency_key":17}""", "idempotency_key" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void Bad_input_is_refused_naming_its_field(string json, string field)
    {
        var parsed = Parse(json);

        Assert.Null(parsed.Spec);
        var error = Assert.Single(parsed.Errors);
        Assert.Equal(field, error.Key);
        Assert.False(string.IsNullOrWhiteSpace(error.Value));
    }

    // a value of the wrong JSON type is refused with its code, never read as the default ("leave", "keep", all fields)
    public static TheoryData<string, string, string> WrongTypes => new()
    {
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":0}}""", "original.action", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":[["x"]]}}""", "original.action", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":true}}""", "original.action", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":{}}}""", "original.action", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"close_won","loss_reason_id":"5"}}""", "original.loss_reason_id", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"original":{"action":"leave","when":"now"}}""", "original.when", "request.unknown_field" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":[]}}""", "responsible.mode", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":7}}""", "responsible.mode", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":{"mode":"fixed","user_ids":7}}""", "responsible.user_ids", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"responsible":"keep"}""", "responsible", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"fields":{"all":true}}}""", "copy.fields", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"notes":1}}""", "copy.notes", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"copy":{"notes":"false"}}""", "copy.notes", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":"10"}}""", "target.pipeline_id", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10,"stage":1}}""", "target.stage", "request.unknown_field" },
        { """{"lead_ids":[1],"target":{}}""", "target.pipeline_id", "request.missing_field" },
        { """{"target":{"pipeline_id":10}}""", "lead_ids", "request.missing_field" },
        { """{"lead_ids":{"0":1},"target":{"pipeline_id":10}}""", "lead_ids", "request.wrong_type" },
        { """{"lead_ids":[true],"target":{"pipeline_id":10}}""", "lead_ids[0]", "request.wrong_type" },
        { """{"lead_ids":[1e300],"target":{"pipeline_id":10}}""", "lead_ids[0]", "request.invalid_field" },
        { """{"lead_ids":[1],"target":{"pipeline_id":99999999999999999999999}}""", "target.pipeline_id", "request.invalid_field" },
        { """{"lead_ids":[1],"copies":[2],"target":{"pipeline_id":10}}""", "copies", "request.wrong_type" },
        { """{"lead_ids":[1],"copies":-3,"target":{"pipeline_id":10}}""", "copies", "request.invalid_field" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"name_template":null}""", "", "" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"idempotency_key":["k"]}""", "idempotency_key", "request.wrong_type" },
        { """{"lead_ids":[1],"target":{"pipeline_id":10},"colour":"red"}""", "colour", "request.unknown_field" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void A_value_of_the_wrong_type_is_refused_with_its_code_and_field_never_read_as_the_default(string json, string field, string code)
    {
        var parsed = Parse(json);

        if (code.Length == 0)
        {
            Assert.NotNull(parsed.Spec); // null stands for "not given"
            return;
        }
        Assert.Null(parsed.Spec);
        var refusal = Assert.Single(parsed.Refusals);
        Assert.Equal((field, code), (refusal.Field, refusal.Code));
        Assert.Equal(field, refusal.Params["field"]);
        if (code == "request.wrong_type") Assert.False(string.IsNullOrEmpty(refusal.Params["expected"]));
    }

    [Fact]
    public void A_rule_names_its_fields_under_rule()
    {
        var rule = CopyRequest.ParseRule("""{"v":1,"target":{"pipeline_id":10},"original":{"action":0},"delay_minutes":"1","skip_if_open":"yes"}""");

        Assert.Null(rule.Options);
        Assert.Equal(["rule.delay_minutes", "rule.original.action", "rule.skip_if_open"], rule.Refusals.Select(r => r.Field).Order(StringComparer.Ordinal));
        Assert.All(rule.Refusals, r => Assert.Equal(("request.wrong_type", r.Field), (r.Code, r.Params["field"])));
    }

    [Fact]
    public void An_idempotency_key_of_200_characters_is_fine()
    {
        var key = new string('k', 200);

        Assert.Equal(key, Parse($$$"""{"lead_ids":[1],"target":{"pipeline_id":10},"idempotency_key":"{{{key}}}"}""").Spec!.IdempotencyKey);
    }

    [Fact]
    public void Five_hundred_deals_and_fifty_copies_are_fine()
    {
        var ids = string.Join(",", Enumerable.Range(1, 500));

        var spec = Parse($$$"""{"lead_ids":[{{{ids}}}],"copies":50,"target":{"pipeline_id":10}}""").Spec!;

        Assert.Equal((500, 50), (spec.SourceLeadIds.Count, spec.Options.CopiesPerLead));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var parsed = Parse("""{"lead_ids":[1,1],"copies":99,"target":{},"extra":1}""");

        Assert.Equal(["copies", "extra", "lead_ids[1]", "target.pipeline_id"], parsed.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"copy\"")]
    [InlineData("null")]
    public void A_body_that_is_not_an_object_is_refused(string json)
    {
        var parsed = Parse(json);

        Assert.Null(parsed.Spec);
        Assert.Single(parsed.Errors);
    }
}
