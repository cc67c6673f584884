using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>What a manager sees after a copy, checked in the amoCRM sandbox itself.</summary>
public sealed class CopyTests : HostTestBase
{
    private static IEnumerable<JsonObject> Notes(JsonObject dump, long leadId) =>
        dump["notes"]!.AsArray().Select(n => n!.AsObject()).Where(n => n["entity_id"]!.GetValue<long>() == leadId && n["entity_type"]!.GetValue<string>() == "leads");

    private static HashSet<string> Set(JsonNode? array, Func<JsonObject, string> key) =>
        (array as JsonArray ?? []).Select(n => key(n!.AsObject())).ToHashSet();

    [Fact]
    public async Task A_full_copy_of_one_deal_reads_it_once_and_fits_one_rate_window()
    {
        // warm the account (metadata, marker field): the copy below makes only its own calls
        await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } });
        await Sandbox.Control.ClearRequestsAsync();

        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat }, copy = new { notes = true, open_tasks = true, finished_tasks = true } });

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        // the request's check reads the deal as the copy needs it, and the job starts from that read
        Assert.Single(log, e => e.Method == "GET" && e.Path == "/api/v4/leads");
        Assert.True(log.Count <= 7, "a single copy should fit amoCRM's 7 requests per second: " + string.Join(", ", log.Select(e => e.Method + " " + e.Path)));
    }

    [Fact]
    public async Task A_copy_with_every_option_lands_in_the_chosen_stage_with_fields_contacts_company_tags_products_notes_and_tasks()
    {
        var job = await CopyAndWaitAsync(new
        {
            lead_ids = new[] { Reference },
            target = new { pipeline_id = Delivery, status_id = DeliveryInTransit },
            responsible = new { mode = "fixed", user_ids = new[] { Vera } },
            name_template = "{name} — копия {n} ({id})",
            copy = new { notes = true, open_tasks = true, finished_tasks = true },
            original = new { action = "move", pipeline_id = Sales, status_id = SalesDecision },
        });

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var dump = await DumpAsync();
        var source = LeadIn(dump, Reference);
        var copy = LeadIn(dump, CopyId(job, Reference));
        Assert.Equal($"Эталонная сделка: все типы полей — копия 1 ({Reference})", copy["name"]!.GetValue<string>());
        Assert.Equal(Delivery, copy["pipeline_id"]!.GetValue<long>());
        Assert.Equal(DeliveryInTransit, copy["status_id"]!.GetValue<long>());
        Assert.Equal(Vera, copy["responsible_user_id"]!.GetValue<long>());
        Assert.Equal(source["price"]!.GetValue<decimal>(), copy["price"]!.GetValue<decimal>());
        Assert.Equal(Set(source["_embedded"]!["contacts"], c => $"{c["id"]}:{c["is_main"]}"), Set(copy["_embedded"]!["contacts"], c => $"{c["id"]}:{c["is_main"]}"));
        Assert.Equal(Set(source["_embedded"]!["companies"], c => $"{c["id"]}"), Set(copy["_embedded"]!["companies"], c => $"{c["id"]}"));
        Assert.Equal(Set(source["_embedded"]!["tags"], t => t["name"]!.GetValue<string>()), Set(copy["_embedded"]!["tags"], t => t["name"]!.GetValue<string>()));
        Assert.Equal(Set(source["_embedded"]!["catalog_elements"], e => e.ToJsonString()), Set(copy["_embedded"]!["catalog_elements"], e => e.ToJsonString()));
        Assert.Equal($"https://dealcopy-demo.amocrm.ru/leads/detail/{Reference}", Marker(copy)!.Split('#')[0]);

        // notes: every creatable note copied without re-triggering the Digital Pipeline; the trace in both deals
        var copied = Notes(dump, copy["id"]!.GetValue<long>()).ToList();
        var creatable = Notes(dump, Reference).Where(n => n["note_type"]!.GetValue<string>() is "common" or "call_in" or "service_message" && !n["params"]!.ToJsonString().Contains("DealCopy")).ToList();
        foreach (var note in creatable)
            Assert.Contains(copied, c => c["note_type"]!.GetValue<string>() == note["note_type"]!.GetValue<string>() && c["params"]!.ToJsonString() == note["params"]!.ToJsonString());
        Assert.DoesNotContain(copied, n => n["note_type"]!.GetValue<string>() == "amomail_message");
        Assert.All(copied, n => Assert.False(n["is_need_to_trigger_digital_pipeline"]!.GetValue<bool>()));
        Assert.Contains(copied, n => n["params"]!["text"]?.GetValue<string>()?.Contains($"#{Reference}") == true);
        Assert.Contains(Notes(dump, Reference), n => n["params"]!["text"]?.GetValue<string>()?.Contains($"#{copy["id"]}") == true);

        // tasks: open and finished, reassigned to the copy's responsible
        var tasks = TasksOf(dump, copy["id"]!.GetValue<long>()).ToList();
        Assert.Equal(TasksOf(dump, Reference).Select(t => (t["text"]!.GetValue<string>(), t["is_completed"]!.GetValue<bool>())).OrderBy(x => x),
                     tasks.Select(t => (t["text"]!.GetValue<string>(), t["is_completed"]!.GetValue<bool>())).OrderBy(x => x));
        Assert.All(tasks, t => Assert.Equal(Vera, t["responsible_user_id"]!.GetValue<long>()));

        // the original moved as asked
        Assert.Equal(SalesDecision, source["status_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Every_lead_field_type_is_copied_or_skipped_with_a_reason()
    {
        var dump0 = await DumpAsync();
        var longText = Leads(dump0).Single(l => l["name"]!.GetValue<string>() == "Сделка с длинным текстом")["id"]!.GetValue<long>();
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference, longText }, target = new { pipeline_id = Sales } });

        var dump = await DumpAsync();
        var source = LeadIn(dump, Reference);
        var copy = LeadIn(dump, CopyId(job, Reference));
        var copyFields = copy["custom_fields_values"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => v["field_id"]!.GetValue<long>());
        var skipped = job["deals"]![0]!["skipped_fields"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["field_id"]!.GetValue<long>());
        var types = new HashSet<string>();
        foreach (var field in source["custom_fields_values"]!.AsArray().Select(v => v!.AsObject()))
        {
            var id = field["field_id"]!.GetValue<long>();
            types.Add(field["field_type"]!.GetValue<string>());
            if (field["is_computed"]?.GetValue<bool>() == true)
            {
                Assert.False(copyFields.ContainsKey(id));
                Assert.Contains("computed", skipped[id]["reason"]!.GetValue<string>());
                Assert.Equal("field.computed", skipped[id]["code"]!.GetValue<string>());
                continue;
            }
            Assert.True(copyFields.ContainsKey(id), $"field {field["field_name"]} ({field["field_type"]}) was not copied");
            Assert.Equal(field["values"]!.ToJsonString(), copyFields[id]["values"]!.ToJsonString());
        }
        Assert.Superset(new HashSet<string> { "text", "numeric", "checkbox", "select", "multiselect", "date", "url", "date_time", "textarea", "radiobutton",
            "streetaddress", "smart_address", "birthday", "legal_entity", "tracking_data", "chained_list", "monetary", "file" }, types);

        // a text longer than amoCRM's API accepts: the copy exists, the field is reported
        var longDeal = job["deals"]!.AsArray().Single(d => d!["source_id"]!.GetValue<long>() == longText)!;
        Assert.Equal("done", longDeal["status"]!.GetValue<string>());
        Assert.Contains("256", longDeal["skipped_fields"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("field.text_too_long", longDeal["skipped_fields"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("256", longDeal["skipped_fields"]![0]!["params"]!["limit"]!.GetValue<string>());
    }

    [Fact]
    public async Task Copies_into_another_pipeline_start_in_its_first_stage_and_N_copies_are_numbered()
    {
        var dump0 = await DumpAsync();
        var source = Leads(dump0).First(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == SalesTalks)["id"]!.GetValue<long>();
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { source }, copies = 3, target = new { pipeline_id = Repeat }, name_template = "Повтор {n}: {name}" });

        var dump = await DumpAsync();
        var copies = CopiesOf(dump, job["id"]!.GetValue<string>());
        Assert.Equal(3, copies.Count);
        Assert.All(copies, c => Assert.Equal((Repeat, RepeatFirst), (c["pipeline_id"]!.GetValue<long>(), c["status_id"]!.GetValue<long>())));
        Assert.Equal(["Повтор 1: ", "Повтор 2: ", "Повтор 3: "], copies.Select(c => c["name"]!.GetValue<string>()[..10]).Order().ToList());
        Assert.Equal(SalesTalks, LeadIn(dump, source)["status_id"]!.GetValue<long>()); // the original stays where it was
    }

    [Fact]
    public async Task A_copy_in_the_same_pipeline_keeps_the_stage_and_round_robin_spreads_responsibles()
    {
        var dump0 = await DumpAsync();
        var sources = Leads(dump0).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == SalesTalks)
            .Select(l => l["id"]!.GetValue<long>()).Take(3).ToArray();
        var job = await CopyAndWaitAsync(new { lead_ids = sources, copies = 2, target = new { pipeline_id = Sales }, responsible = new { mode = "round_robin", user_ids = new[] { Boris, Vera, Gleb } } });

        var copies = CopiesOf(await DumpAsync(), job["id"]!.GetValue<string>());
        Assert.Equal(6, copies.Count);
        Assert.All(copies, c => Assert.Equal(SalesTalks, c["status_id"]!.GetValue<long>()));
        Assert.Equal([2, 2, 2], copies.GroupBy(c => c["responsible_user_id"]!.GetValue<long>()).Select(g => g.Count()).ToList());
    }

    [Fact]
    public async Task An_unsorted_deal_goes_to_the_first_regular_stage_and_a_lost_deal_becomes_an_open_copy_without_loss_reason()
    {
        var dump0 = await DumpAsync();
        var unsorted = Leads(dump0).First(l => l["status_id"]!.GetValue<long>() == SalesUnsorted)["id"]!.GetValue<long>();
        var lost = Leads(dump0).First(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == 143 && l["loss_reason_id"] is not null)["id"]!.GetValue<long>();
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { unsorted, lost }, target = new { pipeline_id = Sales } });

        var dump = await DumpAsync();
        var fromUnsorted = LeadIn(dump, CopyId(job, unsorted));
        var fromLost = LeadIn(dump, CopyId(job, lost));
        Assert.Equal(SalesFirst, fromUnsorted["status_id"]!.GetValue<long>());
        Assert.Equal(SalesFirst, fromLost["status_id"]!.GetValue<long>());
        Assert.Null(fromLost["loss_reason_id"]);
        Assert.Null(fromLost["closed_at"]);
    }

    [Fact]
    public async Task Two_hundred_deals_in_one_request_are_each_copied_once_in_a_few_batched_calls()
    {
        var dump0 = await DumpAsync();
        var sources = Leads(dump0).Where(l => l["pipeline_id"]!.GetValue<long>() != Archive).Select(l => l["id"]!.GetValue<long>()).Take(200).ToArray();
        await Sandbox.Control.ClearRequestsAsync();
        var job = await CopyAndWaitAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } }, TimeSpan.FromSeconds(90));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var copies = CopiesOf(await DumpAsync(), job["id"]!.GetValue<string>());
        Assert.Equal(sources.OrderBy(x => x), copies.Select(SourceOf).OrderBy(x => x));
        // 200 copies with products and trace notes: a small multiple of 200/250 calls, not 200 × calls-per-deal
        var log = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.True(log.Count <= 20, $"{log.Count} amoCRM requests for 200 copies");
        Assert.Equal(1, log.Count(e => e.Method == "POST" && e.Path == "/api/v4/leads"));
    }

    [Fact]
    public async Task A_copy_amocrm_refuses_to_close_on_undo_is_reported_with_its_code_and_amocrms_words()
    {
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } });
        var id = job["id"]!.GetValue<string>();
        await Sandbox.Control.AddFaultAsync(new DealCopy.AmoSandbox.Platform.FaultRule { Method = "PATCH", Path = "/api/v4/leads", Kind = "status", Status = 400, Count = 1 });
        using (var r = await Host.CallAsync(HttpMethod.Post, $"api/v1/copies/{id}/undo", token: await Host.WidgetTokenAsync(userId: Gleb)))
            Assert.Equal(202, (int)r.StatusCode);
        var undone = await Host.WaitJobAsync(id, null, "undone");

        var problem = Assert.Single(undone["undo"]!["not_undone"]!.AsArray())!;
        Assert.Equal("undo.close_refused", problem["code"]!.GetValue<string>()); // the widget words it in ru and en
        Assert.StartsWith("amoCRM refused to close the copy: ", problem["reason"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["params"]!["detail"]!.GetValue<string>()));
        Assert.Empty(undone["undo"]!["closed"]!.AsArray());
    }

    [Fact]
    public async Task Undo_closes_every_copy_as_lost_unlinks_contacts_and_company_and_notes_who_did_it()
    {
        var job = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, copies = 2, target = new { pipeline_id = Repeat } });
        var id = job["id"]!.GetValue<string>();
        using (var r = await Host.CallAsync(HttpMethod.Post, $"api/v1/copies/{id}/undo", token: await Host.WidgetTokenAsync(userId: Gleb)))
            Assert.Equal(202, (int)r.StatusCode);
        var undone = await Host.WaitJobAsync(id, null, "undone");

        Assert.Equal(2, undone["undo"]!["closed"]!.AsArray().Count);
        Assert.Empty(undone["undo"]!["not_undone"]!.AsArray());
        var dump = await DumpAsync();
        foreach (var copy in CopiesOf(dump, id))
        {
            Assert.Equal((Repeat, 143L), (copy["pipeline_id"]!.GetValue<long>(), copy["status_id"]!.GetValue<long>()));
            Assert.Empty(copy["_embedded"]!["contacts"]!.AsArray());
            Assert.Empty(copy["_embedded"]!["companies"]!.AsArray());
            Assert.Contains(Notes(dump, copy["id"]!.GetValue<long>()), n => n["params"]!["text"]?.GetValue<string>()?.Contains("Глеб Новиков") == true);
        }
        // the source is untouched
        Assert.NotEmpty(LeadIn(dump, Reference)["_embedded"]!["contacts"]!.AsArray());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_job_and_copies_once()
    {
        var body = new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat }, idempotency_key = "click-42" };
        var (first, a) = await Host.PostCopyAsync(body);
        var (second, b) = await Host.PostCopyAsync(body);

        Assert.Equal((202, 200), (first, second));
        Assert.Equal(a["id"]!.GetValue<string>(), b["id"]!.GetValue<string>());
        await Host.WaitJobAsync(a["id"]!.GetValue<string>());
        Assert.Single(CopiesOf(await DumpAsync(), a["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Meta_offers_pipelines_without_unsorted_or_archived_and_only_active_users()
    {
        using var r = await Host.CallAsync(HttpMethod.Get, "api/v1/meta");
        var meta = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(200, (int)r.StatusCode);
        var pipelines = meta["pipelines"]!.AsArray().Select(p => p!["id"]!.GetValue<long>()).ToList();
        Assert.Equal([Sales, Repeat, Delivery], pipelines);
        Assert.DoesNotContain(meta["pipelines"]!.AsArray().SelectMany(p => p!["statuses"]!.AsArray()), s => s!["id"]!.GetValue<long>() == SalesUnsorted);
        var users = meta["users"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ToList();
        Assert.Contains(Boris, users);
        Assert.DoesNotContain(Inactive, users);
        Assert.DoesNotContain(FreeSeat, users);
        Assert.Contains(meta["lead_fields"]!.AsArray(), f => f!["copyable"]!.GetValue<bool>() == false && f["reason"]!.GetValue<string>().Contains("computed") && f["reason_code"]!.GetValue<string>() == "field.computed");
    }
}
