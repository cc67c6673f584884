using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Account, users and pipelines (API-NOTES §8, §9, §14).</summary>
public sealed class AccountTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    [Fact, Trait("api-notes", "§14")]
    public async Task The_account_answers_with_users_groups_task_types_and_datetime_settings_when_asked()
    {
        var answer = await _amo.Get("api/v4/account?with=users_groups,task_types,datetime_settings");

        Assert.Equal(200, answer.Code);
        Assert.Equal("application/hal+json", answer.MediaType);
        var o = answer.Object;
        Assert.Equal(_amo.AccountId, o["id"]!.GetValue<long>());
        Assert.Equal("dealcopy-demo", o["subdomain"]!.GetValue<string>());
        Assert.Equal(5000001, o["current_user_id"]!.GetValue<long>());
        var embedded = o["_embedded"]!;
        Assert.NotEmpty(embedded["users_groups"]!.AsArray());
        Assert.Contains(embedded["task_types"]!.AsArray(), t => t!["id"]!.GetValue<long>() == 1);
        Assert.False(string.IsNullOrEmpty(embedded["datetime_settings"]!["timezone"]!.GetValue<string>()));
    }

    [Fact, Trait("api-notes", "§14")]
    public async Task The_account_without_with_has_no_embedded_extras()
    {
        var answer = await _amo.Get("api/v4/account");

        Assert.Equal(200, answer.Code);
        Assert.Null(answer.Object["_embedded"]?["users_groups"]);
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task Users_are_listed_for_an_admin_token()
    {
        var answer = await _amo.Get("api/v4/users");

        Assert.Equal(200, answer.Code);
        Assert.Contains(answer.Embedded("users"), u => u!["rights"]!["is_admin"]!.GetValue<bool>());
        Assert.Equal(200, (await _amo.Get("api/v4/users/5000002")).Code);
    }

    [Fact, Trait("api-notes", "§9")]
    public async Task Users_are_forbidden_to_a_non_admin_token()
    {
        var token = await _amo.Control.IssueTokenAsync(_amo.AccountId, userId: 5000002);
        var manager = _amo.ClientWith(token);

        Problem.Assert(await manager.Call(HttpMethod.Get, "api/v4/users"), 403);
        Problem.Assert(await manager.Call(HttpMethod.Get, "api/v4/users/5000001"), 403);
        // The account itself is open to any user (§14), groups included (§9).
        Assert.Equal(200, (await manager.Call(HttpMethod.Get, "api/v4/account?with=users_groups")).Code);
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task Every_pipeline_has_Unsorted_regular_stages_and_the_shared_won_and_lost_statuses()
    {
        var pipelines = await _amo.PipelinesAsync();

        Assert.NotEmpty(pipelines.All);
        Assert.Single(pipelines.All, p => p["is_main"]!.GetValue<bool>());
        foreach (var p in pipelines.All)
        {
            var statuses = Pipelines.Statuses(p).ToList();
            var unsorted = Assert.Single(statuses, s => s["type"]!.GetValue<int>() == 1);
            Assert.Equal(10, unsorted["sort"]!.GetValue<int>());
            Assert.NotEmpty(Pipelines.Regular(p));
            var won = Assert.Single(statuses, s => s["id"]!.GetValue<long>() == 142);
            var lost = Assert.Single(statuses, s => s["id"]!.GetValue<long>() == 143);
            Assert.False(won["is_editable"]!.GetValue<bool>());
            Assert.False(lost["is_editable"]!.GetValue<bool>());
            Assert.All(statuses, s => Assert.Equal(Pipelines.Id(p), s["pipeline_id"]!.GetValue<long>()));
        }
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task One_pipeline_and_its_statuses_are_readable_by_id()
    {
        var main = (await _amo.PipelinesAsync()).Main;
        var id = Pipelines.Id(main);

        var pipeline = await _amo.Get($"api/v4/leads/pipelines/{id}");
        var statuses = await _amo.Get($"api/v4/leads/pipelines/{id}/statuses");
        var won = await _amo.Get($"api/v4/leads/pipelines/{id}/statuses/142");

        Assert.Equal(id, pipeline.Object["id"]!.GetValue<long>());
        Assert.Equal(Pipelines.Statuses(main).Count(), statuses.Embedded("statuses").Count);
        Assert.Equal(142, won.Object["id"]!.GetValue<long>());
    }

    [Fact, Trait("api-notes", "§8")]
    public async Task An_unknown_pipeline_is_404_Pipeline_not_found()
    {
        foreach (var path in new[] { "api/v4/leads/pipelines/999", "api/v4/leads/pipelines/999/statuses", "api/v4/leads/pipelines/999/statuses/142" })
        {
            var problem = Problem.Assert(await _amo.Get(path), 404);
            Assert.Equal("Pipeline not found", problem["detail"]!.GetValue<string>());
        }
    }

    [Fact, Trait("api-notes", "§4.4")]
    public async Task Loss_reasons_are_listed()
    {
        var answer = await _amo.Get("api/v4/leads/loss_reasons");

        Assert.Equal(200, answer.Code);
        Assert.Equal(3, answer.Embedded("loss_reasons").Count);
    }
}
