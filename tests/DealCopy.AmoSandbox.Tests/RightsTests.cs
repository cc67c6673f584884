using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Users' rights as amoCRM's users API shapes them, X-Context-User-ID, and lead reads filtered by view rights (API-NOTES §9).</summary>
public sealed class RightsTests : IAsyncLifetime
{
    private const long Boris = 5000002, Vera = 5000003, Zhanna = 5000007, Zoya = 5000008;
    private Amo _amo = null!;

    public async Task InitializeAsync() => _amo = await Amo.StartAsync();

    public async Task DisposeAsync() => await _amo.DisposeAsync();

    private HttpClient ActingAs(long userId)
    {
        var http = _amo.ClientWith(_amo.Server.DemoToken);
        http.DefaultRequestHeaders.Add("X-Context-User-ID", userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return http;
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task The_demo_has_an_own_deals_manager_and_a_trainee_group_with_their_rights_in_amocrms_shape()
    {
        var users = (await _amo.Get("api/v4/users?limit=250")).Embedded("users");
        var zhanna = users.Single(u => u!["id"]!.GetValue<long>() == Zhanna)!["rights"]!;
        Assert.Equal(("M", "M", "A"), (zhanna["leads"]!["view"]!.GetValue<string>(), zhanna["leads"]!["edit"]!.GetValue<string>(), zhanna["leads"]!["add"]!.GetValue<string>()));
        Assert.Null(zhanna["status_rights"]); // amoCRM: null when a user has no per-stage rules
        var zoya = users.Single(u => u!["id"]!.GetValue<long>() == Zoya)!["rights"]!;
        Assert.Equal(2, zoya["group_id"]!.GetValue<long>());
        var groups = (await _amo.Get("api/v4/account?with=users_groups")).Object["_embedded"]!["users_groups"]!.AsArray();
        Assert.Contains(groups, g => g!["id"]!.GetValue<long>() == 2 && g["name"]!.GetValue<string>() == "Стажёры");
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task Acting_as_a_user_shows_only_the_deals_his_view_letter_allows()
    {
        var all = (await _amo.Control.DumpAsync(_amo.AccountId))["leads"]!.AsArray().Select(l => l!.AsObject()).ToList();
        var own = all.First(l => l["responsible_user_id"]!.GetValue<long>() == Boris)["id"]!.GetValue<long>();
        var other = all.First(l => l["responsible_user_id"]!.GetValue<long>() == Vera)["id"]!.GetValue<long>();
        await _amo.Control.ChangeUserAsync(_amo.AccountId, Boris, new JsonObject { ["rights"] = new JsonObject { ["leads"] = new JsonObject { ["view"] = "M", ["edit"] = "M" } } });

        using var boris = ActingAs(Boris);
        Assert.Equal(200, (await boris.Call(HttpMethod.Get, $"api/v4/leads/{own}")).Code);
        Assert.Equal(204, (await boris.Call(HttpMethod.Get, $"api/v4/leads/{other}")).Code); // like a missing deal
        var listed = (await boris.Call(HttpMethod.Get, $"api/v4/leads?filter[id][]={own}&filter[id][]={other}")).Embedded("leads");
        Assert.Equal(new[] { own }, listed.Select(l => l!["id"]!.GetValue<long>()));
        // the admin's own reads are not narrowed
        Assert.Equal(200, (await _amo.Get($"api/v4/leads/{other}")).Code);

        // G: deals whose responsible is in the user's group; a stage rule replaces the letter in its stage
        var otherLead = all.First(l => l["id"]!.GetValue<long>() == other);
        await _amo.Control.ChangeUserAsync(_amo.AccountId, Boris, new JsonObject
        {
            ["group_id"] = 1,
            ["rights"] = new JsonObject
            {
                ["leads"] = new JsonObject { ["view"] = "G" },
                ["status_rights"] = new JsonArray(new JsonObject
                {
                    ["pipeline_id"] = otherLead["pipeline_id"]!.GetValue<long>(), ["status_id"] = otherLead["status_id"]!.GetValue<long>(),
                    ["rights"] = new JsonObject { ["view"] = "D", ["edit"] = "D", ["delete"] = "D" },
                }),
            },
        });
        var sameGroup = all.First(l => l["responsible_user_id"]!.GetValue<long>() == Vera && l["status_id"]!.GetValue<long>() != otherLead["status_id"]!.GetValue<long>())["id"]!.GetValue<long>();
        Assert.Equal(200, (await boris.Call(HttpMethod.Get, $"api/v4/leads/{sameGroup}")).Code);
        Assert.Equal(204, (await boris.Call(HttpMethod.Get, $"api/v4/leads/{other}")).Code);
        var shown = await _amo.Get($"api/v4/users/{Boris}");
        Assert.Equal("D", shown.Object["rights"]!["status_rights"]![0]!["rights"]!["view"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task Only_an_admins_token_may_act_for_another_user_and_the_users_list_stays_admin_only()
    {
        var token = await _amo.Control.IssueTokenAsync(_amo.AccountId, userId: Boris);
        using var manager = _amo.ClientWith(token);
        manager.DefaultRequestHeaders.Add("X-Context-User-ID", "5000001");
        Problem.Assert(await manager.Call(HttpMethod.Get, "api/v4/leads/20000001"), 403);
        using var unknown = ActingAs(999);
        Problem.Assert(await unknown.Call(HttpMethod.Get, "api/v4/leads/20000001"), 403);
        using var asManager = ActingAs(Boris);
        Problem.Assert(await asManager.Call(HttpMethod.Get, "api/v4/users"), 403); // acting as a non-admin: no users list
    }

    [Fact]
    public async Task Rights_in_a_change_are_checked_as_amocrm_letters()
    {
        var bad = new JsonObject { ["rights"] = new JsonObject { ["leads"] = new JsonObject { ["add"] = "M" } } };
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => _amo.Control.ChangeUserAsync(_amo.AccountId, Boris, bad));
        Assert.Contains("A or D", e.Message);
        var changed = await _amo.Control.ChangeUserAsync(_amo.AccountId, Boris, new JsonObject { ["is_active"] = false });
        Assert.False(changed["rights"]!["is_active"]!.GetValue<bool>());
    }
}
