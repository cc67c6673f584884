using System.Net;
using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>
/// The Host is the gatekeeper (issue 10, docs/API.md "Rights"): every /api/v1 call acts with the rights of the
/// amoCRM user in the widget token, as the sandbox's users API gives them. An admin changes a user's role in
/// the sandbox between calls; the Host reads the users again on every call (metadata TTL 0). Every refusal is
/// problem+json with a stable code, and amoCRM sees no write.
/// </summary>
public sealed class RightsTests : HostTestBase
{
    private const long Zhanna = 5000007, Zoya = 5000008;

    protected override IDictionary<string, string?>? HostSettings => new Dictionary<string, string?> { ["Amo:MetadataTtlSeconds"] = "0" };

    private long Account => Sandbox.DemoAccountId;

    private Task SetRights(long user, string view = "A", string edit = "A", string add = "A", JsonArray? stages = null) =>
        Sandbox.Control.ChangeUserAsync(Account, user, new JsonObject
        {
            ["rights"] = new JsonObject
            {
                ["leads"] = new JsonObject { ["view"] = view, ["edit"] = edit, ["add"] = add },
                ["status_rights"] = stages ?? [],
            },
        });

    /// <summary>Open deals of the sales pipeline whose responsible is <paramref name="responsible"/>.</summary>
    private async Task<List<long>> DealsOf(long responsible)
    {
        var dump = await DumpAsync();
        return Leads(dump).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales && l["responsible_user_id"]!.GetValue<long>() == responsible
                                      && l["status_id"]!.GetValue<long>() is not (142 or 143) && l["is_deleted"]?.GetValue<bool>() != true)
            .Select(l => l["id"]!.GetValue<long>()).Where(id => id != Reference).Take(8).ToList();
    }

    private async Task<(int Status, JsonObject Body, string? ContentType)> Call(HttpMethod method, string path, long user, object? body = null)
    {
        using var r = await Host.CallAsync(method, path, body, token: await Host.WidgetTokenAsync(userId: user));
        var text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!, r.Content.Headers.ContentType?.MediaType);
    }

    private static object CopyBody(long deal, object? original = null, long pipeline = Repeat, long? status = null) =>
        new { lead_ids = new[] { deal }, target = new { pipeline_id = pipeline, status_id = status }, copy = new { products = false }, original = original ?? new { action = "leave" } };

    /// <summary>A refusal as the widget and an API reader see it, and nothing written into amoCRM meanwhile.</summary>
    private async Task<JsonObject> Refused(Func<Task<(int Status, JsonObject Body, string? ContentType)>> call, int status, string code, string? refusalCode = null, string? field = null)
    {
        await Sandbox.Control.ClearRequestsAsync();
        var (got, body, type) = await call();
        Assert.True(got == status, $"expected {status} {code}, got {got}: {body.ToJsonString()}");
        Assert.Equal("application/problem+json", type);
        Assert.Equal(code, body["code"]!.GetValue<string>());
        if (refusalCode is not null)
            Assert.Contains(body["refusals"]!.AsArray(), r => r!["code"]!.GetValue<string>() == refusalCode && (field is null || r["field"]!.GetValue<string>() == field));
        var log = await Sandbox.Control.RequestsAsync(Account);
        Assert.DoesNotContain(log, e => e.Method is "POST" or "PATCH" or "DELETE" && e.Path != "/api/v4/leads/custom_fields");
        return body;
    }

    private async Task<string> Accepted(long user, object body)
    {
        var (status, answer, _) = await Call(HttpMethod.Post, "api/v1/copies", user, body);
        Assert.True(status == 202, $"expected 202, got {status}: {answer.ToJsonString()}");
        var id = answer["id"]!.GetValue<string>();
        await Host.WaitJobAsync(id);
        return id;
    }

    [Fact]
    public async Task Each_view_letter_decides_which_deals_a_user_may_copy_and_the_others_do_not_exist_for_him()
    {
        var vera = await DealsOf(Vera);   // group 1, Gleb's group
        var boris = await DealsOf(Boris); // the default group
        var gleb = await DealsOf(Gleb);

        await SetRights(Gleb, view: "G", edit: "G");
        var hidden = await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(boris[0])), 404, "deals.not_found", "deal.not_found", "lead_ids[0]");
        Assert.Equal($"deal {boris[0]} does not exist or was deleted", hidden["refusals"]![0]!["message"]!.GetValue<string>());
        var missing = await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(99999999)), 404, "deals.not_found", "deal.not_found");
        Assert.Equal(missing["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>()); // no existence leak

        await SetRights(Gleb, view: "M", edit: "M");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(vera[0])), 404, "deals.not_found", "deal.not_found");
        await SetRights(Gleb, view: "D", edit: "D");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(gleb[0])), 404, "deals.not_found", "deal.not_found"); // not even his own
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(gleb[0], status: RepeatFirst)), 422, "copy.not_applicable", "rights.stage_denied", "target.status_id");

        await SetRights(Gleb, view: "M", edit: "M");
        var own = await Accepted(Gleb, CopyBody(gleb[0]));
        await SetRights(Gleb, view: "G", edit: "G");
        var group = await Accepted(Gleb, CopyBody(vera[0]));
        await SetRights(Gleb, view: "A", edit: "A");
        var all = await Accepted(Gleb, CopyBody(boris[0]));
        var dump = await DumpAsync();
        Assert.Equal(new[] { gleb[0], vera[0], boris[0] }, new[] { own, group, all }.Select(j => SourceOf(CopiesOf(dump, j).Single())));
    }

    [Fact]
    public async Task The_form_offers_stages_by_the_view_letter_none_at_all_with_D()
    {
        foreach (var letter in new[] { "A", "G", "M", "D" })
        {
            await SetRights(Gleb, view: letter, edit: letter);
            var (status, meta, type) = await Call(HttpMethod.Get, "api/v1/meta", Gleb);
            Assert.True(status == 200, meta.ToJsonString());
            Assert.Equal("application/json", type);
            var stages = meta["pipelines"]!.AsArray().SelectMany(p => p!["statuses"]!.AsArray()).Count();
            if (letter == "D") Assert.Equal(0, stages); // a deal he could not see once made: nowhere to copy to
            else Assert.Contains(meta["pipelines"]!.AsArray(), p => p!["id"]!.GetValue<long>() == Repeat && p["statuses"]!.AsArray().Count > 0);
        }
    }

    [Fact]
    public async Task Moving_or_closing_the_original_needs_the_edit_letter_on_it()
    {
        var vera = await DealsOf(Vera);
        var boris = await DealsOf(Boris);
        var move = new { action = "move", pipeline_id = Sales, status_id = SalesDecision };
        var close = new { action = "close_won" };
        var before = LeadIn(await DumpAsync(), boris[0])["status_id"]!.GetValue<long>();

        await SetRights(Gleb, view: "A", edit: "D");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(boris[0], close)), 403, "rights.edit_denied", "rights.edit_denied", "lead_ids[0]");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(boris[0], move)), 422, "copy.not_applicable", "rights.stage_denied", "original.status_id");
        await SetRights(Gleb, view: "A", edit: "M");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(boris[0], move)), 403, "rights.edit_denied", "rights.edit_denied", "lead_ids[0]");
        await SetRights(Gleb, view: "A", edit: "G");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(boris[0], close)), 403, "rights.edit_denied", "rights.edit_denied", "lead_ids[0]");
        Assert.Equal(before, LeadIn(await DumpAsync(), boris[0])["status_id"]!.GetValue<long>()); // the original stays where it was

        await Accepted(Gleb, CopyBody(vera[0], move)); // G: Vera is in Gleb's group
        await SetRights(Gleb, view: "A", edit: "A");
        await Accepted(Gleb, CopyBody(boris[1], close));
        var dump = await DumpAsync();
        Assert.Equal(SalesDecision, LeadIn(dump, vera[0])["status_id"]!.GetValue<long>());
        Assert.Equal(142, LeadIn(dump, boris[1])["status_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_add_right_and_status_rights_decide_where_copies_may_go_and_the_form_offers_only_those_stages()
    {
        await SetRights(Gleb, add: "D");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(Reference)), 403, "rights.add_denied", "rights.add_denied");
        var (status, meta, _) = await Call(HttpMethod.Get, "api/v1/meta", Gleb);
        Assert.Equal(200, status);
        Assert.Empty(meta["pipelines"]!.AsArray());

        // a role that may not put deals into the repeat pipeline's first stage (and may not even see the delivery pipeline's "in transit")
        await SetRights(Gleb, stages: [
            new JsonObject { ["pipeline_id"] = Repeat, ["status_id"] = RepeatFirst, ["rights"] = new JsonObject { ["view"] = "A", ["edit"] = "D", ["delete"] = "D" } },
            new JsonObject { ["pipeline_id"] = Delivery, ["status_id"] = DeliveryInTransit, ["rights"] = new JsonObject { ["view"] = "D", ["edit"] = "D", ["delete"] = "D" } }]);
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(Reference, status: RepeatFirst)), 422, "copy.not_applicable", "rights.stage_denied", "target.status_id");
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(Reference)), 422, "copy.not_applicable", "rights.stage_denied", "target.status_id"); // the default stage is the first
        (status, meta, _) = await Call(HttpMethod.Get, "api/v1/meta", Gleb);
        Assert.Equal(200, status);
        var stages = meta["pipelines"]!.AsArray().SelectMany(p => p!["statuses"]!.AsArray().Select(s => s!["id"]!.GetValue<long>())).ToList();
        Assert.DoesNotContain(RepeatFirst, stages);
        Assert.DoesNotContain(DeliveryInTransit, stages);
        Assert.Contains(SalesFirst, stages);

        var dump = await DumpAsync();
        var second = dump["pipelines"]!.AsArray().Single(p => p!["id"]!.GetValue<long>() == Repeat)!["_embedded"]!["statuses"]!.AsArray()
            .Select(s => s!["id"]!.GetValue<long>()).First(id => id != RepeatFirst && id is not (142 or 143) && stages.Contains(id));
        var job = await Accepted(Gleb, CopyBody(Reference, status: second));
        Assert.Equal(second, CopiesOf(await DumpAsync(), job).Single()["status_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Undo_and_the_job_page_are_for_the_author_admins_and_users_whose_letters_cover_the_deals()
    {
        var job = await Accepted(Boris, CopyBody(Reference)); // the copy's responsible is Boris (default group)

        foreach (var letter in new[] { "D", "M", "G" })
        {
            await SetRights(Gleb, view: letter, edit: letter);
            await Refused(() => Call(HttpMethod.Get, $"api/v1/copies/{job}", Gleb), 404, "job.not_found");
            await Refused(() => Call(HttpMethod.Post, $"api/v1/copies/{job}/undo", Gleb), 403, "rights.undo_denied", "rights.undo_denied");
        }
        await SetRights(Gleb, view: "A", edit: "D");
        var (status, _, _) = await Call(HttpMethod.Get, $"api/v1/copies/{job}", Gleb);
        Assert.Equal(200, status); // may see the deals, so may see the job
        await Refused(() => Call(HttpMethod.Post, $"api/v1/copies/{job}/undo", Gleb), 403, "rights.undo_denied");

        await SetRights(Boris, view: "M", edit: "M");
        Assert.Equal(200, (await Call(HttpMethod.Get, $"api/v1/copies/{job}", Boris)).Status); // the author
        Assert.Equal(200, (await Call(HttpMethod.Get, $"api/v1/copies/{job}", Admin)).Status);
        await SetRights(Gleb, view: "A", edit: "A");
        Assert.Equal(202, (await Call(HttpMethod.Post, $"api/v1/copies/{job}/undo", Gleb)).Status);
        var undone = await Host.WaitJobAsync(job, null, "undone");
        Assert.Equal(Gleb, undone["undo"]!["by_user_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_non_author_whose_G_or_M_letters_cover_the_deals_may_see_and_undo_the_job()
    {
        var vera = await DealsOf(Vera); // group 1, Gleb's group
        var gleb = await DealsOf(Gleb);
        // Boris copies them; "keep" leaves each copy with the source's responsible
        var groupJob = await Accepted(Boris, CopyBody(vera[0]));
        var ownJob = await Accepted(Boris, CopyBody(gleb[0]));

        await SetRights(Gleb, view: "M", edit: "M");
        Assert.Equal(200, (await Call(HttpMethod.Get, $"api/v1/copies/{ownJob}", Gleb)).Status);
        await Refused(() => Call(HttpMethod.Get, $"api/v1/copies/{groupJob}", Gleb), 404, "job.not_found");
        await Refused(() => Call(HttpMethod.Post, $"api/v1/copies/{groupJob}/undo", Gleb), 403, "rights.undo_denied", "rights.undo_denied");
        Assert.Equal(202, (await Call(HttpMethod.Post, $"api/v1/copies/{ownJob}/undo", Gleb)).Status); // the copy is his

        await SetRights(Gleb, view: "G", edit: "G");
        Assert.Equal(200, (await Call(HttpMethod.Get, $"api/v1/copies/{groupJob}", Gleb)).Status);
        Assert.Equal(202, (await Call(HttpMethod.Post, $"api/v1/copies/{groupJob}/undo", Gleb)).Status); // the copy is Vera's, his group

        foreach (var job in new[] { ownJob, groupJob })
        {
            var undone = await Host.WaitJobAsync(job, null, "undone");
            Assert.Equal(Gleb, undone["undo"]!["by_user_id"]!.GetValue<long>());
        }
        var dump = await DumpAsync();
        Assert.All(new[] { ownJob, groupJob }.SelectMany(j => CopiesOf(dump, j)), c => Assert.Equal(143, c["status_id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Inactive_and_free_users_are_refused_on_every_call()
    {
        var job = await Accepted(Boris, CopyBody(Reference));
        foreach (var (user, code) in new[] { (Inactive, "rights.user_inactive"), (FreeSeat, "rights.user_free") })
        {
            await Refused(() => Call(HttpMethod.Get, "api/v1/meta", user), 403, code, code);
            await Refused(() => Call(HttpMethod.Post, "api/v1/copies", user, CopyBody(Reference)), 403, code);
            await Refused(() => Call(HttpMethod.Get, "api/v1/settings", user), 403, code);
            await Refused(() => Call(HttpMethod.Put, "api/v1/settings", user, new { allowed_user_ids = Array.Empty<long>(), allowed_group_ids = Array.Empty<long>() }), 403, code);
            await Refused(() => Call(HttpMethod.Get, "api/v1/copies", user), 403, code);
            await Refused(() => Call(HttpMethod.Get, $"api/v1/copies/{job}", user), 403, code);
            await Refused(() => Call(HttpMethod.Post, $"api/v1/copies/{job}/undo", user), 403, code);
            await Refused(() => Call(HttpMethod.Get, "api/v1/dp/key", user), 403, code);
        }
        Assert.Equal("completed", (await Host.WaitJobAsync(job))["status"]!.GetValue<string>()); // never undone
        // deactivated after the fact: the next call knows
        await Sandbox.Control.ChangeUserAsync(Account, Gleb, new JsonObject { ["is_active"] = false });
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Gleb, CopyBody(Reference)), 403, "rights.user_inactive");
    }

    [Fact]
    public async Task Who_may_copy_is_kept_on_the_server_by_users_and_groups_and_only_admins_change_it()
    {
        var (status, settings, _) = await Call(HttpMethod.Get, "api/v1/settings", Boris);
        Assert.Equal(200, status);
        Assert.Empty(settings["allowed_user_ids"]!.AsArray());
        Assert.False(settings["may_edit"]!.GetValue<bool>());
        Assert.Contains(settings["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "Стажёры");

        var change = new { allowed_user_ids = new[] { Boris }, allowed_group_ids = new[] { 1L } };
        await Refused(() => Call(HttpMethod.Put, "api/v1/settings", Boris, change), 403, "settings.admin_only");
        await Refused(() => Call(HttpMethod.Put, "api/v1/settings", Admin, new { allowed_user_ids = new[] { 123L }, allowed_group_ids = new[] { 77L } }), 422, "settings.invalid", "settings.user_not_found", "allowed_user_ids[0]");
        (status, settings, _) = await Call(HttpMethod.Put, "api/v1/settings", Admin, change);
        Assert.True(status == 200, settings.ToJsonString());
        Assert.Equal(Admin, settings["changed_by"]!.GetValue<long>());
        Assert.True(settings["may_edit"]!.GetValue<bool>());

        // Zoya (trainees' group) calls the API directly, without the widget
        var job = await Accepted(Vera, CopyBody(Reference)); // group 1 is allowed
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Zoya, CopyBody(Reference)), 403, "rights.not_allowed", "rights.not_allowed");
        await Refused(() => Call(HttpMethod.Post, $"api/v1/copies/{job}/undo", Zoya), 403, "rights.not_allowed");
        await Accepted(Boris, CopyBody(Reference)); // named
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Admin, CopyBody(Reference)), 403, "rights.not_allowed"); // the list holds for admins too

        // kept across a restart of the Host (journaled)
        await Host.StopAsync();
        Host = await TestHost.StartAsync(Sandbox, DataPath, overrides: HostSettings);
        (status, settings, _) = await Call(HttpMethod.Get, "api/v1/settings", Zoya);
        Assert.Equal(200, status);
        Assert.Equal(new[] { Boris }, settings["allowed_user_ids"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(new[] { 1L }, settings["allowed_group_ids"]!.AsArray().Select(n => n!.GetValue<long>()));
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Zoya, CopyBody(Reference)), 403, "rights.not_allowed");
    }

    [Fact]
    public async Task Only_amoCRM_admins_read_the_Digital_Pipeline_key_as_amoCRM_says_at_the_call()
    {
        var (status, answer, _) = await Call(HttpMethod.Get, "api/v1/dp/key", Admin);
        Assert.True(status == 200, answer.ToJsonString());
        var key = answer["key"]!.GetValue<string>();
        Assert.NotEmpty(key);

        await SetRights(Gleb, view: "A", edit: "A", add: "A"); // every letter A still is not an administrator
        foreach (var user in new[] { Boris, Gleb, Zhanna, Zoya })
        {
            var refused = await Refused(() => Call(HttpMethod.Get, "api/v1/dp/key", user), 403, "rights.admin_only", "rights.admin_only", "");
            Assert.Null(refused["key"]);
            Assert.DoesNotContain(key, refused.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(user.ToString(System.Globalization.CultureInfo.InvariantCulture), refused["refusals"]![0]!["params"]!["user_id"]!.GetValue<string>());
        }
        await Refused(() => Call(HttpMethod.Get, "api/v1/dp/key", Inactive), 403, "rights.user_inactive");
        await Refused(() => Call(HttpMethod.Get, "api/v1/dp/key", FreeSeat), 403, "rights.user_free");

        // made an administrator in amoCRM: the next call hands him the same key; taken back: refused again
        await Sandbox.Control.ChangeUserAsync(Account, Boris, new JsonObject { ["is_admin"] = true });
        (status, answer, _) = await Call(HttpMethod.Get, "api/v1/dp/key", Boris);
        Assert.True(status == 200, answer.ToJsonString());
        Assert.Equal(key, answer["key"]!.GetValue<string>());
        await Sandbox.Control.ChangeUserAsync(Account, Boris, new JsonObject { ["is_admin"] = false });
        await Refused(() => Call(HttpMethod.Get, "api/v1/dp/key", Boris), 403, "rights.admin_only");
    }

    [Fact]
    public async Task The_demo_manager_with_own_deals_only_cannot_copy_a_colleagues_deal()
    {
        await Refused(() => Call(HttpMethod.Post, "api/v1/copies", Zhanna, CopyBody(Reference)), 404, "deals.not_found", "deal.not_found", "lead_ids[0]");
        Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)(await Call(HttpMethod.Get, "api/v1/meta", Zhanna)).Status);
    }
}
