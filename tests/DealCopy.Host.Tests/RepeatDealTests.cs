using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DealCopy.Host.Tests;

/// <summary>Repeat deals from the Digital Pipeline, with the sandbox playing amoCRM's Digital Pipeline.</summary>
public sealed class RepeatDealTests : HostTestBase
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? JobClock => _clock;

    private const long Won = 142;

    private static string RuleJson(long pipeline, long? status = null, int delayMinutes = 0, bool skipIfOpen = false, string template = "Повтор: {name}", long? fixedUser = null, bool openTasks = false) =>
        new JsonObject
        {
            ["v"] = 1,
            ["copies"] = 1,
            ["target"] = new JsonObject { ["pipeline_id"] = pipeline, ["status_id"] = status },
            ["responsible"] = fixedUser is { } u ? new JsonObject { ["mode"] = "fixed", ["user_ids"] = new JsonArray(u) } : new JsonObject { ["mode"] = "keep" },
            ["name_template"] = template,
            ["copy"] = new JsonObject { ["fields"] = "all", ["contacts"] = true, ["company"] = true, ["products"] = true, ["open_tasks"] = openTasks },
            ["original"] = new JsonObject { ["action"] = "leave" },
            ["delay_minutes"] = delayMinutes,
            ["skip_if_open"] = skipIfOpen,
        }.ToJsonString();

    private Task<string> DpKeyAsync(long? accountId = null) => Host.DpKeyAsync(accountId);

    private string HookUrl => new Uri(Host.BaseAddress, "hooks/dp").ToString();

    private async Task TriggerOnAsync(long pipeline, long status, string rule, string? key = null) =>
        await Sandbox.Control.SetDpTriggersAsync(Sandbox.DemoAccountId, new JsonArray(new JsonObject
        {
            ["pipeline_id"] = pipeline, ["status_id"] = status, ["url"] = HookUrl,
            ["settings"] = new JsonObject { ["key"] = key ?? await DpKeyAsync(), ["rule"] = rule },
        }));

    private async Task<JsonArray> MoveAsync(IEnumerable<long> leads, long pipeline, long status)
    {
        var moved = await Sandbox.Control.MoveLeadsAsync(Sandbox.DemoAccountId, leads, pipeline, status);
        return moved["deliveries"]!.AsArray();
    }

    private static List<JsonObject> RepeatDeals(JsonObject dump) =>
        Leads(dump).Where(l => Marker(l) is { } m && System.Text.RegularExpressions.Regex.IsMatch(m, @"-r\d+-[0-9a-f]+$")).ToList();

    private Task<List<JsonObject>> WaitRepeatDealsAsync(int count, TimeSpan? within = null) =>
        Poll.UntilAsync(async () => RepeatDeals(await DumpAsync()), deals => deals.Count >= count, within ?? TimeSpan.FromSeconds(60),
            deals => $"{deals.Count} repeat deals, {count} expected");

    /// <summary>The job id the Host derives from a hook (so a test can ask about a job it never got an answer for).</summary>
    private string JobIdOf(JsonObject delivery, string rule)
    {
        var form = delivery["body"]!.GetValue<string>().Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        var ruleId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rule)))[..12];
        var key = $"{Sandbox.DemoAccountId}:dp:{form["event[data][id]"]}:{form["event[data][pipeline_id]"]}:{form["event[data][status_id]"]}:{form["event[time]"]}:{ruleId}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    private async Task<long[]> OpenSalesDealsAsync(int count, bool withOpenTask = false)
    {
        var dump = await DumpAsync();
        return Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() is SalesTalks or SalesFirst or SalesDecision)
            .Select(l => l["id"]!.GetValue<long>())
            .Where(id => !withOpenTask || OpenTasksOf(dump, id).Count() == 1)
            .Take(count).ToArray();
    }

    private static IEnumerable<JsonObject> OpenTasksOf(JsonObject dump, long leadId) =>
        TasksOf(dump, leadId).Where(t => t["is_completed"]?.GetValue<bool>() != true);

    [Fact]
    public async Task A_deal_that_is_won_gets_exactly_one_repeat_deal_with_the_rules_options()
    {
        var rule = RuleJson(Repeat, RepeatFirst, fixedUser: Vera);
        await TriggerOnAsync(Sales, Won, rule);
        var lead = (await OpenSalesDealsAsync(1))[0];

        var deliveries = await MoveAsync([lead], Sales, Won);

        Assert.Equal(200, deliveries.Single()!["status"]!.GetValue<int>());
        var job = await Host.WaitJobAsync(JobIdOf(deliveries[0]!.AsObject(), rule));
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var dump = await DumpAsync();
        var repeat = RepeatDeals(dump).Single();
        var source = LeadIn(dump, lead);
        Assert.Equal(lead, SourceOf(repeat));
        Assert.Equal((Repeat, RepeatFirst, Vera), (repeat["pipeline_id"]!.GetValue<long>(), repeat["status_id"]!.GetValue<long>(), repeat["responsible_user_id"]!.GetValue<long>()));
        Assert.Equal("Повтор: " + source["name"]!.GetValue<string>(), repeat["name"]!.GetValue<string>());
        static HashSet<string> Contacts(JsonObject lead) => lead["_embedded"]!["contacts"]!.AsArray().Select(c => $"{c!["id"]}:{c["is_main"]}").ToHashSet();
        Assert.Equal(Contacts(source), Contacts(repeat)); // the rule copies contacts, the main one stays main
        Assert.Equal(source["_embedded"]!["companies"]!.ToJsonString(), repeat["_embedded"]!["companies"]!.ToJsonString());
    }

    [Fact]
    public async Task A_hundred_deals_won_at_once_get_a_hundred_repeat_deals()
    {
        var rule = RuleJson(Repeat);
        await TriggerOnAsync(Sales, Won, rule);
        var leads = await OpenSalesDealsAsync(100);
        Assert.Equal(100, leads.Length);

        var deliveries = await MoveAsync(leads, Sales, Won);

        Assert.All(deliveries, d => Assert.Equal(200, d!["status"]!.GetValue<int>()));
        var deals = await WaitRepeatDealsAsync(100, TimeSpan.FromSeconds(120));
        Assert.Equal(leads.Order(), deals.Select(SourceOf).Order());
        foreach (var d in deliveries) Assert.Equal("completed", (await Host.WaitJobAsync(JobIdOf(d!.AsObject(), rule)))["status"]!.GetValue<string>());
        Assert.Equal(100, RepeatDeals(await DumpAsync()).Count);
    }

    [Fact]
    public async Task The_same_hook_delivered_three_times_even_at_once_makes_one_repeat_deal()
    {
        var rule = RuleJson(Repeat);
        var key = await DpKeyAsync();
        var lead = (await OpenSalesDealsAsync(1))[0];
        await MoveAsync([lead], Sales, Won); // no trigger configured yet: nothing is sent
        var hook = new JsonObject
        {
            ["lead_id"] = lead, ["url"] = HookUrl, ["event_time"] = 1_790_000_000,
            ["settings"] = new JsonObject { ["key"] = key, ["rule"] = rule },
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, (JsonObject)hook.DeepClone())));
        var again = await Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, (JsonObject)hook.DeepClone());

        Assert.All(answers.Append(again), a => Assert.Equal(200, a["status"]!.GetValue<int>()));
        await Host.WaitJobAsync(JobIdOf(again, rule));
        Assert.Single(RepeatDeals(await DumpAsync()));
    }

    [Fact]
    public async Task A_delayed_rule_fires_when_its_time_comes_also_after_a_restart()
    {
        // 60 days: longer than a system timer can wait in one go (~49.7 days)
        var rule = RuleJson(Repeat, delayMinutes: 60 * 24 * 60, openTasks: true);
        await TriggerOnAsync(Sales, Won, rule);
        var leads = await OpenSalesDealsAsync(2, withOpenTask: true);

        var first = (await MoveAsync([leads[0]], Sales, Won)).Single()!.AsObject();
        var firstJob = JobIdOf(first, rule);
        Assert.Equal("scheduled", (await Host.JobAsync(firstJob))["status"]!.GetValue<string>());
        _clock.Advance(TimeSpan.FromDays(59));
        Assert.Equal("scheduled", (await Host.JobAsync(firstJob))["status"]!.GetValue<string>());
        Assert.Empty(RepeatDeals(await DumpAsync()));

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1)); // the 60 days are over
        var done = await Host.WaitJobAsync(firstJob);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        var dump = await DumpAsync();
        var repeat = RepeatDeals(dump).Single();
        Assert.Equal(leads[0], SourceOf(repeat));

        // the source's open task was due long before the repeat deal appeared: its copy is due the day after
        var dueAt = done["run_at"]!.GetValue<long>();
        var copiedTask = Assert.Single(OpenTasksOf(dump, repeat["id"]!.GetValue<long>()));
        Assert.Equal(dueAt + 86_400, copiedTask["complete_till"]!.GetValue<long>());

        // the second one is scheduled, then the node goes down and comes back 61 days later
        var second = JobIdOf((await MoveAsync([leads[1]], Sales, Won)).Single()!.AsObject(), rule);
        Assert.Equal("scheduled", (await Host.JobAsync(second))["status"]!.GetValue<string>());
        await Host.StopAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath, jobClock: new FakeTimeProvider(_clock.GetUtcNow().AddDays(61)));
        Assert.Equal("completed", (await Host.WaitJobAsync(second))["status"]!.GetValue<string>());
        Assert.Equal([leads[0], leads[1]], RepeatDeals(await DumpAsync()).Select(SourceOf).Order());
    }

    [Fact]
    public async Task A_delayed_repeat_deal_is_cancelled_when_the_deal_left_the_stage_before_it_was_due()
    {
        var rule = RuleJson(Repeat, delayMinutes: 60);
        await TriggerOnAsync(Sales, Won, rule);
        var lead = (await OpenSalesDealsAsync(1))[0];
        var job = JobIdOf((await MoveAsync([lead], Sales, Won)).Single()!.AsObject(), rule);
        await MoveAsync([lead], Sales, SalesTalks); // re-opened by the manager

        _clock.Advance(TimeSpan.FromMinutes(61));
        var cancelled = await Host.WaitJobAsync(job, null, "cancelled");
        Assert.Contains("left the rule's stage", cancelled["reason"]!.GetValue<string>());
        Assert.Equal("repeat.left_stage", cancelled["reason_code"]!.GetValue<string>()); // the widget words it in ru and en
        Assert.Empty(RepeatDeals(await DumpAsync()));
    }

    [Fact]
    public async Task A_repeat_deal_landing_in_a_triggering_stage_does_not_copy_itself_again()
    {
        var rule = RuleJson(Repeat, RepeatFirst);
        await TriggerOnAsync(Repeat, RepeatFirst, rule); // the rule's own target stage triggers it
        var lead = (await OpenSalesDealsAsync(1))[0];

        var first = (await MoveAsync([lead], Repeat, RepeatFirst)).Single()!.AsObject();
        await Host.WaitJobAsync(JobIdOf(first, rule));

        // creating the repeat deal in the trigger stage made amoCRM post the hook for it
        var deliveries = await Poll.UntilAsync(() => Sandbox.Control.DpDeliveriesAsync(Sandbox.DemoAccountId), d => d.Count >= 2,
            TimeSpan.FromSeconds(30), _ => "the repeat deal's own hook never came");
        var second = await Host.WaitJobAsync(JobIdOf(deliveries[1]!.AsObject(), rule), null, "cancelled");
        Assert.Contains("loop guard", second["reason"]!.GetValue<string>());
        Assert.Equal("repeat.loop_guard", second["reason_code"]!.GetValue<string>()); // the widget words it in ru and en
        Assert.Single(RepeatDeals(await DumpAsync()));
    }

    [Fact]
    public async Task Skip_if_open_makes_no_second_repeat_deal_while_the_contacts_first_is_open()
    {
        var rule = RuleJson(Repeat, skipIfOpen: true);
        await TriggerOnAsync(Sales, Won, rule);
        var lead = Leads(await DumpAsync()).First(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["status_id"]!.GetValue<long>() == SalesTalks &&
                                                      l["_embedded"]!["contacts"]!.AsArray().Count > 0)["id"]!.GetValue<long>();

        await Host.WaitJobAsync(JobIdOf((await MoveAsync([lead], Sales, Won)).Single()!.AsObject(), rule));
        await MoveAsync([lead], Sales, SalesTalks);
        await Sandbox.Control.AdvanceClockAsync(5); // a later event: a new hook, not a repeat of the first
        var again = JobIdOf((await MoveAsync([lead], Sales, Won)).Single()!.AsObject(), rule);

        var skipped = await Host.WaitJobAsync(again, null, "cancelled");
        Assert.Contains("already has an open deal", skipped["reason"]!.GetValue<string>());
        Assert.Equal("repeat.open_deal_exists", skipped["reason_code"]!.GetValue<string>()); // the widget words it in ru and en
        Assert.Single(RepeatDeals(await DumpAsync()));
    }

    [Fact]
    public async Task Forged_hooks_create_nothing_and_get_401()
    {
        var other = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = "neighbour", ["demo"] = true, ["lead_count"] = 2 });
        await Host.InstallAsync(other["id"]!.GetValue<long>(), "neighbour.amocrm.ru", other["admin_token"]!.GetValue<string>());
        var othersKey = await DpKeyAsync(other["id"]!.GetValue<long>());
        var lead = (await OpenSalesDealsAsync(1))[0];
        await MoveAsync([lead], Sales, Won);

        foreach (var key in new string?[] { null, "0123456789abcdef0123456789abcdef", othersKey })
        {
            var settings = new JsonObject { ["rule"] = RuleJson(Repeat) };
            if (key is not null) settings["key"] = key;
            var answer = await Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, new JsonObject { ["lead_id"] = lead, ["url"] = HookUrl, ["settings"] = settings });
            Assert.Equal(401, answer["status"]!.GetValue<int>());
        }
        Assert.Empty(RepeatDeals(await DumpAsync()));
    }

    public static TheoryData<string, string, int> BadHooks => new()
    {
        { "no account", "event[type]=14&event[data][id]=1&event[data][element_type]=2", 400 },
        { "a lead id that is not a number", "account_id=31000001&event[type]=14&event[data][id]=abc&event[data][element_type]=2&event[data][pipeline_id]=1&event[data][status_id]=2&event[time]=3", 400 },
        { "a customer, not a lead", "account_id=31000001&event[type]=20&event[data][id]=1&event[data][element_type]=12", 200 },
        { "the lead left the trigger", "account_id=31000001&event[type]=14&event[data][id]=1&event[data][element_type]=2&event[data][direction_of_movement]=went_from_trigger", 200 },
    };

    [Theory]
    [MemberData(nameof(BadHooks))]
    public async Task A_hook_we_cannot_act_on_is_answered_with_a_reason_and_creates_nothing(string why, string form, int expected)
    {
        using var r = await Host.Http.PostAsync("hooks/dp", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.True((int)r.StatusCode == expected, $"{why}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        Assert.Empty(RepeatDeals(await DumpAsync()));
    }

    [Fact]
    public async Task A_hook_with_a_broken_rule_or_for_an_account_without_DealCopy_is_refused()
    {
        var lead = (await OpenSalesDealsAsync(1))[0];
        var broken = await Sandbox.Control.SendDpHookAsync(Sandbox.DemoAccountId, new JsonObject
        {
            ["lead_id"] = lead, ["url"] = HookUrl, ["settings"] = new JsonObject { ["key"] = await DpKeyAsync(), ["rule"] = "{\"target\":{}}" },
        });
        Assert.Equal(422, broken["status"]!.GetValue<int>());

        // a correct key for an account that never installed DealCopy (computed with the test's secret)
        var stranger = await Sandbox.Control.CreateAccountAsync(new JsonObject { ["subdomain"] = "stranger", ["demo"] = true, ["lead_count"] = 1 });
        var id = stranger["id"]!.GetValue<long>();
        var key = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("test-dp-key-secret"), Encoding.UTF8.GetBytes("dp-key:" + id.ToString(CultureInfo.InvariantCulture))))[..32];
        var dump = await DumpAsync(id);
        var answer = await Sandbox.Control.SendDpHookAsync(id, new JsonObject
        {
            ["lead_id"] = Leads(dump).First()["id"]!.GetValue<long>(), ["url"] = HookUrl, ["settings"] = new JsonObject { ["key"] = key, ["rule"] = RuleJson(Repeat) },
        });
        Assert.Equal(401, answer["status"]!.GetValue<int>());
        Assert.Empty(RepeatDeals(await DumpAsync()));
    }
}
