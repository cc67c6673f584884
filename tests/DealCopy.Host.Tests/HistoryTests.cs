using System.Text.Json.Nodes;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>GET /api/v1/copies over real HTTP: a manager finds their runs again, an admin sees everyone's.</summary>
public sealed class HistoryTests : HostTestBase
{
    private async Task<(int Status, JsonObject Body)> HistoryAsync(long userId, string query = "")
    {
        using var r = await Host.CallAsync(HttpMethod.Get, "api/v1/copies" + query, token: await Host.WidgetTokenAsync(userId: userId));
        return ((int)r.StatusCode, (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    private static string[] Ids(JsonObject page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToArray();

    [Fact]
    public async Task A_manager_sees_their_own_runs_newest_first_and_an_admin_sees_everyones_paged_with_undo_state()
    {
        // Борис copies one deal; Вера copies two deals (her token, her job)
        var boris = await CopyAndWaitAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } });
        var veraId = await Host.PostCopyWithTokenAsync(new { lead_ids = new[] { Reference, Reference + 1 }, target = new { pipeline_id = Repeat } }, await Host.WidgetTokenAsync(userId: Vera));
        await Host.WaitJobAsync(veraId);
        var borisId = boris["id"]!.GetValue<string>();

        var (status, mine) = await HistoryAsync(Boris);
        Assert.Equal(200, status);
        Assert.Equal([borisId], Ids(mine));
        var item = mine["items"]![0]!;
        Assert.Equal("completed", item["status"]!.GetValue<string>());
        Assert.Equal(Boris, item["started_by"]!.GetValue<long>());
        Assert.True(item["can_undo"]!.GetValue<bool>());
        Assert.Equal(boris["created_at"]!.GetValue<long>(), item["created_at"]!.GetValue<long>());
        // the counts are the sandbox's: one copy exists for Борис's run
        Assert.Equal(CopiesOf(await DumpAsync(), borisId).Count, item["created"]!.GetValue<int>());
        Assert.Equal(1, item["created"]!.GetValue<int>());
        Assert.Equal($"/api/v1/copies/{borisId}", item["url"]!.GetValue<string>());

        var (_, all) = await HistoryAsync(Admin);
        Assert.Equal([veraId, borisId], Ids(all));
        Assert.Equal(2, all["total"]!.GetValue<int>());
        Assert.Equal(2, all["items"]![0]!["created"]!.GetValue<int>());
        var (_, second) = await HistoryAsync(Admin, "?offset=1&limit=1");
        Assert.Equal([borisId], Ids(second));
        Assert.Equal(2, second["total"]!.GetValue<int>());

        // undone runs stay in the history and can no longer be undone
        using (var r = await Host.CallAsync(HttpMethod.Post, $"api/v1/copies/{borisId}/undo", token: await Host.WidgetTokenAsync(userId: Boris)))
            Assert.Equal(202, (int)r.StatusCode);
        await Host.WaitJobAsync(borisId, null, "undone");
        var (_, after) = await HistoryAsync(Boris);
        Assert.Equal(("undone", false), (after["items"]![0]!["status"]!.GetValue<string>(), after["items"]![0]!["can_undo"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Whether_a_viewer_sees_everyones_runs_is_read_from_amocrms_users_not_from_the_widget_token()
    {
        var veraId = await Host.PostCopyWithTokenAsync(new { lead_ids = new[] { Reference }, target = new { pipeline_id = Repeat } }, await Host.WidgetTokenAsync(userId: Vera));
        await Host.WaitJobAsync(veraId);

        // Борис is a manager in amoCRM; a token that says is_admin does not make him one
        var forged = await Sandbox.Control.WidgetTokenAsync(Sandbox.DemoAccountId, Boris, new JsonObject { ["is_admin"] = true });
        using var r = await Host.CallAsync(HttpMethod.Get, "api/v1/copies", token: forged);
        Assert.Equal(200, (int)r.StatusCode);
        var page = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.DoesNotContain(veraId, Ids(page));
        Assert.All(page["items"]!.AsArray(), i => Assert.Equal(Boris, i!["started_by"]!.GetValue<long>()));
        var (_, admin) = await HistoryAsync(Admin);
        Assert.Contains(veraId, Ids(admin));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?offset=x", "offset")]
    public async Task Bad_paging_is_refused_by_name(string query, string field)
    {
        var (status, problem) = await HistoryAsync(Boris, query);
        Assert.Equal(400, status);
        Assert.Equal("request.invalid", problem["code"]!.GetValue<string>());
        var refusal = problem["refusals"]!.AsArray().Single()!;
        Assert.Equal((field, "request.invalid_field"), (refusal["field"]!.GetValue<string>(), refusal["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task History_needs_a_widget_token()
    {
        using var r = await Host.CallAsync(HttpMethod.Get, "api/v1/copies", token: "not-a-token");
        Assert.Equal(401, (int)r.StatusCode);
    }
}
