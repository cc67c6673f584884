using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Garbage in gets amoCRM's problem+json out, never a stack trace (API-NOTES §3).</summary>
public sealed class BadInputTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    [Theory, Trait("api-notes", "§3")]
    [InlineData("POST", "api/v4/leads")]
    [InlineData("PATCH", "api/v4/leads")]
    [InlineData("PATCH", "api/v4/leads/20000001")]
    [InlineData("POST", "api/v4/leads/complex")]
    [InlineData("POST", "api/v4/contacts")]
    [InlineData("POST", "api/v4/companies")]
    [InlineData("POST", "api/v4/leads/20000001/link")]
    [InlineData("POST", "api/v4/leads/link")]
    [InlineData("POST", "api/v4/leads/notes")]
    [InlineData("POST", "api/v4/leads/20000001/notes")]
    [InlineData("POST", "api/v4/tasks")]
    [InlineData("PATCH", "api/v4/tasks")]
    [InlineData("POST", "api/v4/leads/tags")]
    [InlineData("POST", "api/v4/leads/custom_fields")]
    [InlineData("POST", "oauth2/access_token")]
    public async Task Malformed_JSON_is_a_400_problem_without_a_stack_trace(string method, string path)
    {
        var answer = await _amo.Http.Call(new HttpMethod(method), path, rawBody: """[{"name": "unterminated""");

        Problem.Assert(answer, 400);
    }

    [Theory, Trait("api-notes", "§3")]
    [InlineData("""{"name":"an object, not an array"}""")]
    [InlineData("""[]""")]
    [InlineData("""["a string"]""")]
    [InlineData("""   """)]
    public async Task A_batch_body_that_is_not_an_array_of_objects_is_a_400_problem(string body)
    {
        var answer = await _amo.Http.Call(HttpMethod.Post, "api/v4/leads", rawBody: body);

        Problem.Assert(answer, 400);
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task Request_data_can_not_be_empty()
    {
        var answer = await _amo.Http.Call(HttpMethod.Post, "api/v4/leads", rawBody: "");

        Assert.Equal("Request data can not be empty", Problem.Assert(answer, 400)["detail"]!.GetValue<string>());
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task Wrong_value_types_are_validation_errors_not_crashes()
    {
        var answer = await _amo.Post("api/v4/leads", new JsonArray(new JsonObject
        {
            ["name"] = 5, ["price"] = "lots", ["status_id"] = new JsonObject(), ["custom_fields_values"] = "none", ["_embedded"] = "x", ["tags_to_add"] = 7,
        }));

        var paths = Problem.ValidationErrors(answer, "0").Select(e => e["path"]!.GetValue<string>()).ToList();
        Assert.Contains("name", paths);
        Assert.Contains("price", paths);
        Assert.Contains("status_id", paths);
        Assert.Contains("custom_fields_values", paths);
    }

    [Fact, Trait("api-notes", "§3")]
    public async Task A_non_numeric_filter_is_a_400_problem()
    {
        Problem.Assert(await _amo.Get("api/v4/leads?filter[id]=abc"), 400);
        Problem.Assert(await _amo.Get("api/v4/leads?page=0"), 400);
    }

    [Fact, Trait("api-notes", "§2")]
    public async Task Every_answer_carries_an_X_Request_Id()
    {
        var ok = await _amo.Get("api/v4/account");
        var problem = await _amo.Get("api/v4/leads?limit=500");
        var empty = await _amo.Get("api/v4/leads/1");

        foreach (var answer in new[] { ok, problem, empty })
            Assert.False(string.IsNullOrEmpty(answer.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.Single() : null), answer.ToString());
        Assert.NotEqual(ok.Headers.GetValues("X-Request-Id").Single(), problem.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory, Trait("api-notes", "§3")]
    [InlineData("GET", "api/v4/nothing")]
    [InlineData("GET", "api/v4/leads/20000001/nothing")]
    [InlineData("POST", "api/v4/widgets/unknown")]
    public async Task An_unknown_route_is_404_Cannot_METHOD_path(string method, string path)
    {
        var answer = await _amo.Http.Call(new HttpMethod(method), path, method == "POST" ? new JsonArray(new JsonObject()) : null);

        var problem = Problem.Assert(answer, 404);
        Assert.Equal($"Cannot {method} /{path}", problem["detail"]!.GetValue<string>());
    }
}
