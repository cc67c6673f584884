using System.Net;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using static DealCopy.Actors.Tests.Copying.DemoAccount;

namespace DealCopy.Actors.Tests.Copying;

/// <summary>amoCRM refuses a copy: a refused value is left out and reported, anything else fails the copy with amoCRM's words.</summary>
public sealed class CopyJobRefusalTests : JobActorTestKit
{
    private static readonly long Accepted = DemoAccount.Now.ToUnixTimeSeconds();

    private static AmoValidationException Refusal(string requestId, string path, string detail) => new(
        "amoCRM refused the request",
        new AmoResponseInfo("POST", "/api/v4/leads", HttpStatusCode.BadRequest, "application/problem+json", "Bad Request", detail, null),
        [new AmoValidationError(requestId, null, "InvalidType", path, detail)]);

    private JobRun Run(Func<CreateLeads, int, object> create)
    {
        var spec = new CopyJobSpec([SourceId], Options(content: CopyContent.Everything with { Products = false }), Requester, null);
        var attempt = 0;
        return RunJob(JobState.Create(JobId, spec, Accepted), DemoAccount.Now.AddSeconds(1), op => op switch
        {
            ReadLeads => new List<Lead> { Source() },
            CallAmo { What: "reconcile copies" } => new List<Lead>(),
            CreateLeads c => create(c, attempt++),
            CreateNotes c => c.Notes.Select(n => new WrittenEntity { Id = 1, RequestId = n.RequestId }).ToList(),
            _ => throw new InvalidOperationException("unexpected op " + op),
        });
    }

    private static List<long?> FieldIds(LeadWrite lead) => lead.CustomFieldsValues!.Select(v => v.FieldId).ToList();

    [Fact]
    public void A_refused_field_value_is_left_out_reported_and_the_copy_made_without_it()
    {
        var run = Run((c, attempt) => attempt == 0
            ? Refusal(c.Leads[0].RequestId!, $"custom_fields_values.{FieldIds(c.Leads[0]).IndexOf(NumericField)}.values.0.value", "Value is not a number")
            : new List<WrittenEntity> { new() { Id = 40000, RequestId = c.Leads[0].RequestId } });

        var creates = run.Ops.OfType<CreateLeads>().Select(c => Assert.Single(c.Leads)).ToList();
        Assert.Equal(2, creates.Count);
        Assert.Contains(NumericField, FieldIds(creates[0]));
        Assert.DoesNotContain(NumericField, FieldIds(creates[1]));
        Assert.Equal(FieldIds(creates[0]).Count - 1, FieldIds(creates[1]).Count);

        var deal = Assert.Single(run.View.Deals);
        Assert.Equal([new CopyView(1, 40000)], deal.Copies);
        var skipped = Assert.Single(deal.SkippedFields, s => s.FieldId == NumericField);
        Assert.Equal(("Количество", "numeric", "amoCRM refused the value: Value is not a number"), (skipped.Name, skipped.Type, skipped.Reason));
        Assert.Equal("completed", run.View.Status);
    }

    [Fact]
    public void A_refusal_that_is_not_about_a_field_fails_the_copy_with_amoCRMs_words()
    {
        var run = Run((c, _) => Refusal(c.Leads[0].RequestId!, "status_id", "Status not found"));

        Assert.Single(run.Ops.OfType<CreateLeads>());
        Assert.Equal("failed", run.View.Status);
        var deal = Assert.Single(run.View.Deals);
        Assert.Empty(deal.Copies);
        Assert.Equal(["copy 1: amoCRM refused the copy: status_id: Status not found"], deal.Errors);
    }
}
