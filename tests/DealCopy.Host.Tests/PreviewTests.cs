using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>
/// The dry run (issue 13, docs/API.md "POST /api/v1/copies/preview"): the body of a copy, the same refusals, nothing
/// written to amoCRM, and an answer that the copy which follows keeps — names, stages, responsibles, skipped fields, requests.
/// </summary>
public sealed class PreviewTests : HostTestBase
{
    private async Task<(int Status, JsonObject Body, string? ContentType)> Post(string path, object body, long user = Boris)
    {
        using var r = await Host.CallAsync(HttpMethod.Post, path, body, token: await Host.WidgetTokenAsync(userId: user));
        var text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!, r.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The form's first call, as the widget makes it: DealCopy's marker field exists from here on, and the request log starts empty.</summary>
    private async Task OpenFormAsync(long user = Boris)
    {
        using (var meta = await Host.CallAsync(HttpMethod.Get, "api/v1/meta", token: await Host.WidgetTokenAsync(userId: user)))
            Assert.Equal(200, (int)meta.StatusCode);
        await Sandbox.Control.ClearRequestsAsync();
    }

    /// <summary>A preview as the widget asks for it, after its form read the metadata; asserts that amoCRM saw no write meanwhile.</summary>
    private async Task<JsonObject> PreviewAsync(object body, long user = Boris)
    {
        await OpenFormAsync(user);
        var (status, answer, type) = await Post("api/v1/copies/preview", body, user);
        Assert.True(status == 200, $"expected 200, got {status}: {answer.ToJsonString()}");
        Assert.Equal("application/json", type);
        await AssertNothingWrittenAsync();
        return answer;
    }

    private async Task AssertNothingWrittenAsync()
    {
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.DoesNotContain(log, e => e.Method is "POST" or "PATCH" or "DELETE" or "PUT");
    }

    private static JsonObject Item(JsonObject preview, long sourceId) =>
        preview["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["source_id"]!.GetValue<long>() == sourceId);

    private static List<string> Codes(JsonNode? skipped) =>
        skipped!.AsArray().Select(s => $"{s!["field_id"]}:{s["code"]!.GetValue<string>()}").Order().ToList();

    [Fact]
    public async Task A_preview_names_the_skipped_and_cut_fields_writes_nothing_and_the_copy_does_what_it_said()
    {
        var longText = Leads(await DumpAsync()).Single(l => l["name"]!.GetValue<string>() == "Сделка с длинным текстом")["id"]!.GetValue<long>();
        var body = new { lead_ids = new[] { Reference, longText }, target = new { pipeline_id = Repeat }, name_template = "Повтор: {name}", copy = new { notes = true, open_tasks = true } };

        var preview = await PreviewAsync(body);

        // no more reads than the copy makes: the deals once, their notes and tasks once
        var reads = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.Single(reads, e => e.Path == "/api/v4/leads");
        Assert.Single(reads, e => e.Path == "/api/v4/leads/notes");
        Assert.Single(reads, e => e.Path == "/api/v4/tasks");

        Assert.Equal(2, preview["deals"]!.GetValue<int>());
        Assert.Equal(2, preview["copies"]!.GetValue<int>());
        var reference = Item(preview, Reference);
        var copy = reference["copies"]![0]!;
        Assert.Equal("Повтор: Эталонная сделка: все типы полей", copy["name"]!.GetValue<string>());
        Assert.Equal((Repeat, RepeatFirst), (copy["pipeline_id"]!.GetValue<long>(), copy["status_id"]!.GetValue<long>()));
        Assert.Contains(reference["skipped_fields"]!.AsArray(), s => s!["code"]!.GetValue<string>() == "field.computed" && s["name"]!.GetValue<string>().Length > 0);
        Assert.Single(reference["contacts"]!.AsArray(), c => c!["is_main"]!.GetValue<bool>());
        Assert.Equal(3, reference["products"]!.AsArray().Count);
        Assert.True(reference["notes"]!.GetValue<int>() > 0 && reference["tasks"]!.GetValue<int>() > 0, reference.ToJsonString());
        var cut = Item(preview, longText)["skipped_fields"]!.AsArray().Single()!;
        Assert.Equal("field.text_too_long", cut["code"]!.GetValue<string>());
        Assert.Equal("256", cut["params"]!["limit"]!.GetValue<string>());
        Assert.Equal(Codes(reference["skipped_fields"]).Count + 1, preview["skipped_fields"]!.GetValue<int>());

        // the copy that follows: what the preview said, for the requests it said
        await Sandbox.Control.ClearRequestsAsync();
        var job = await CopyAndWaitAsync(body);
        var dump = await DumpAsync();
        foreach (var source in new[] { Reference, longText })
        {
            var made = LeadIn(dump, CopyId(job, source));
            var said = Item(preview, source)["copies"]![0]!;
            Assert.Equal(said["name"]!.GetValue<string>(), made["name"]!.GetValue<string>());
            Assert.Equal(said["status_id"]!.GetValue<long>(), made["status_id"]!.GetValue<long>());
            Assert.Equal(said["responsible_user_id"]!.GetValue<long>(), made["responsible_user_id"]!.GetValue<long>());
            Assert.Equal(Codes(Item(preview, source)["skipped_fields"]),
                Codes(job["deals"]!.AsArray().Single(d => d!["source_id"]!.GetValue<long>() == source)!["skipped_fields"]));
        }
        // the preview's reads were kept for this copy: it sends the writes the preview counted, and reads nothing again
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.DoesNotContain(log, e => e.Method == "GET");
        Assert.Equal(preview["requests"]!["writes"]!.GetValue<int>(), log.Count);
        Assert.Equal(preview["requests"]!["total"]!.GetValue<int>(), log.Count + preview["requests"]!["reads"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_copy_of_other_deals_than_the_preview_reads_them_itself()
    {
        var body = new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat }, copy = new { notes = true } };
        var preview = await PreviewAsync(body);

        await Sandbox.Control.ClearRequestsAsync();
        var other = Leads(await DumpAsync()).First(l => l["id"]!.GetValue<long>() != Reference && l["is_deleted"]?.GetValue<bool>() != true)["id"]!.GetValue<long>();
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference, other }, target = new { pipeline_id = Repeat }, copy = new { notes = true } });

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.Single(log, e => e.Method == "GET" && e.Path == "/api/v4/leads");
        Assert.Single(log, e => e.Method == "GET" && e.Path == "/api/v4/leads/notes");
        Assert.Equal(1, preview["deals"]!.GetValue<int>());
    }

    [Fact]
    public async Task Round_robin_over_two_users_is_resolved_in_the_preview_exactly_as_the_copy_resolves_it()
    {
        var sources = Leads(await DumpAsync()).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == SalesTalks)
            .Select(l => l["id"]!.GetValue<long>()).Take(3).ToArray();
        var body = new { lead_ids = sources, copies = 2, target = new { pipeline_id = Sales }, responsible = new { mode = "round_robin", user_ids = new[] { Vera, Gleb } } };

        var preview = await PreviewAsync(body);

        var said = preview["items"]!.AsArray().SelectMany(i => i!["copies"]!.AsArray().Select(c => (Source: i["source_id"]!.GetValue<long>(), N: c!["n"]!.GetValue<int>(), User: c["responsible_user_id"]!.GetValue<long>()))).ToList();
        Assert.Equal([Vera, Gleb, Vera, Gleb, Vera, Gleb], said.Select(s => s.User).ToList());
        Assert.Equal(new JsonArray(new JsonObject { ["user_id"] = Vera, ["copies"] = 3 }, new JsonObject { ["user_id"] = Gleb, ["copies"] = 3 }).ToJsonString(),
            preview["responsibles"]!.ToJsonString());
        Assert.Equal(new JsonArray(new JsonObject { ["pipeline_id"] = Sales, ["status_id"] = SalesTalks, ["copies"] = 6 }).ToJsonString(), preview["targets"]!.ToJsonString());

        var job = await CopyAndWaitAsync(body);
        var dump = await DumpAsync();
        Assert.All(said, s => Assert.Equal(s.User, LeadIn(dump, CopyId(job, s.Source, s.N))["responsible_user_id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_request_of_120_deals_is_summed_up_with_its_requests_and_duration_at_the_accounts_rate()
    {
        var sources = Leads(await DumpAsync()).Where(l => l["is_deleted"]?.GetValue<bool>() != true).Select(l => l["id"]!.GetValue<long>()).Take(120).ToArray();
        Assert.Equal(120, sources.Length);

        var preview = await PreviewAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat, status_id = RepeatFirst }, responsible = new { mode = "fixed", user_ids = new[] { Vera } } });

        Assert.Equal((120, 120), (preview["deals"]!.GetValue<int>(), preview["copies"]!.GetValue<int>()));
        Assert.Equal(new JsonArray(new JsonObject { ["pipeline_id"] = Repeat, ["status_id"] = RepeatFirst, ["copies"] = 120 }).ToJsonString(), preview["targets"]!.ToJsonString());
        Assert.Equal(new JsonArray(new JsonObject { ["user_id"] = Vera, ["copies"] = 120 }).ToJsonString(), preview["responsibles"]!.ToJsonString());
        var requests = preview["requests"]!;
        Assert.Equal(1, requests["steps"]!["read_leads"]!.GetValue<int>());
        Assert.Equal(1, requests["steps"]!["create_leads"]!.GetValue<int>()); // 120 in one write (up to 250 until amoCRM answers 504)
        Assert.Equal(Sandbox.Options.RequestsPerSecond, requests["requests_per_second"]!.GetValue<int>());
        var total = requests["total"]!.GetValue<int>();
        Assert.Equal(requests["reads"]!.GetValue<int>() + requests["writes"]!.GetValue<int>(), total);
        Assert.Equal((total + Sandbox.Options.RequestsPerSecond - 1) / Sandbox.Options.RequestsPerSecond, requests["seconds"]!.GetValue<int>());
        Assert.Equal(120, preview["items"]!.AsArray().Count);
        var skipped = preview["items"]!.AsArray().Sum(i => i!["skipped_fields"]!.AsArray().Count);
        Assert.Equal(skipped, preview["skipped_fields"]!.GetValue<int>());
        Assert.Equal(skipped, preview["skipped_by_code"]!.AsArray().Sum(s => s!["count"]!.GetValue<int>()));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        // name, body (JSON)
        { "an inactive responsible", $$$"""{"lead_ids":[{{{Reference}}}],"target":{"pipeline_id":{{{Repeat}}}},"responsible":{"mode":"fixed","user_ids":[{{{Inactive}}}]}}""" },
        { "the Unsorted stage", $$$"""{"lead_ids":[{{{Reference}}}],"target":{"pipeline_id":{{{Sales}}},"status_id":{{{SalesUnsorted}}}}}""" },
        { "a deal that does not exist", $$$"""{"lead_ids":[{{{Reference}}},29999999],"target":{"pipeline_id":{{{Repeat}}}}}""" },
        { "an unknown field", $$$"""{"lead_ids":[{{{Reference}}}],"target":{"pipeline_id":{{{Repeat}}}},"surprise":1}""" },
        { "no deals and too many copies", $$$"""{"lead_ids":[],"copies":51,"target":{"pipeline_id":{{{Repeat}}}}}""" },
        { "a body that is not JSON", """{"lead_ids":[""" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refusal_of_the_copy_is_the_same_refusal_of_the_preview_and_nothing_is_written(string name, string body)
    {
        await OpenFormAsync();
        var answers = new List<(int Status, string Body, string? Type)>();
        foreach (var path in new[] { "api/v1/copies/preview", "api/v1/copies" })
        {
            await Sandbox.Control.ClearRequestsAsync();
            using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            message.Headers.Add("X-Auth-Token", await Host.WidgetTokenAsync());
            using var r = await Host.Http.SendAsync(message);
            answers.Add(((int)r.StatusCode, await r.Content.ReadAsStringAsync(), r.Content.Headers.ContentType?.MediaType));
            await AssertNothingWrittenAsync();
        }
        var (preview, copy) = (answers[0], answers[1]);
        Assert.True(preview.Status is >= 400 and < 500, $"{name}: the preview answered {preview.Status} {preview.Body}");
        Assert.Equal("application/problem+json", preview.Type);
        Assert.Equal((copy.Status, copy.Type), (preview.Status, preview.Type));
        var (p, c) = (JsonNode.Parse(preview.Body)!, JsonNode.Parse(copy.Body)!);
        foreach (var member in new[] { "status", "code", "params", "refusals", "errors" })
            Assert.True(JsonNode.DeepEquals(c[member], p[member]), $"{name}: {member} differs: copy {c[member]?.ToJsonString()}, preview {p[member]?.ToJsonString()}");
    }

    [Fact]
    public async Task A_user_without_the_add_right_or_with_a_denied_stage_is_refused_the_preview_as_the_copy()
    {
        // set before the first call: the Host reads the rights with the metadata
        await Sandbox.Control.ChangeUserAsync(Sandbox.DemoAccountId, Gleb, new JsonObject
        {
            ["rights"] = new JsonObject
            {
                ["leads"] = new JsonObject { ["view"] = "A", ["edit"] = "A", ["add"] = "A" },
                ["status_rights"] = new JsonArray(new JsonObject { ["pipeline_id"] = Repeat, ["status_id"] = RepeatFirst, ["rights"] = new JsonObject { ["view"] = "A", ["edit"] = "D", ["delete"] = "D" } }),
            },
        });
        var body = new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat, status_id = RepeatFirst } };
        await OpenFormAsync(Gleb);

        var (status, preview, _) = await Post("api/v1/copies/preview", body, Gleb);
        var (copyStatus, copy, _) = await Post("api/v1/copies", body, Gleb);

        Assert.Equal((422, 422), (status, copyStatus));
        Assert.Equal("copy.not_applicable", preview["code"]!.GetValue<string>());
        Assert.Contains(preview["refusals"]!.AsArray(), r => r!["code"]!.GetValue<string>() == "rights.stage_denied" && r["field"]!.GetValue<string>() == "target.status_id");
        Assert.True(JsonNode.DeepEquals(copy["refusals"], preview["refusals"]));
        await AssertNothingWrittenAsync();
    }
}
