using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Platform;
using DealCopy.AmoSandbox.Tests.Support;

namespace DealCopy.AmoSandbox.Tests;

/// <summary>Control requests that change nothing others see (seeding a new account, tokens, refusals): one shared sandbox.</summary>
public sealed class ControlRequestTests(SharedSandbox shared) : IClassFixture<SharedSandbox>
{
    private readonly Amo _amo = shared.Amo;

    [Fact, Trait("sandbox-md", "control API")]
    public async Task An_account_is_seeded_from_a_description_and_answers_through_its_own_token()
    {
        var created = await _amo.Control.CreateAccountAsync(JsonNode.Parse("""
            {"subdomain":"acme","demo":false,
             "users":[{"id":1,"name":"Admin","is_admin":true},{"name":"Manager"}],
             "pipelines":[{"name":"Sales","is_main":true,"statuses":["New","Talk","Offer"]}],
             "lead_fields":[{"name":"Budget note","type":"text"},{"name":"Kind","type":"select","enums":["A","B"]}]}
            """)!.AsObject());

        Assert.Equal("acme", created["subdomain"]!.GetValue<string>());
        Assert.Equal(1, created["admin_user_id"]!.GetValue<long>());
        var http = _amo.ClientWith(created["admin_token"]!.GetValue<string>());
        var account = await http.Call(HttpMethod.Get, "api/v4/account");
        Assert.Equal(created["id"]!.GetValue<long>(), account.Object["id"]!.GetValue<long>());
        Assert.Equal("acme", account.Object["subdomain"]!.GetValue<string>());
        var pipeline = Assert.Single((await http.Call(HttpMethod.Get, "api/v4/leads/pipelines")).Embedded("pipelines"))!.AsObject();
        Assert.Equal("Sales", pipeline["name"]!.GetValue<string>());
        Assert.Equal(new[] { "New", "Talk", "Offer" }, Pipelines.Statuses(pipeline).Where(s => s["type"]!.GetValue<int>() == 0 && s["id"]!.GetValue<long>() is not (142 or 143)).Select(s => s["name"]!.GetValue<string>()));
        var kind = (await http.Call(HttpMethod.Get, "api/v4/leads/custom_fields")).Embedded("custom_fields").Single(f => f!["name"]!.GetValue<string>() == "Kind")!;
        Assert.Equal(new[] { "A", "B" }, kind["enums"]!.AsArray().Select(e => e!["value"]!.GetValue<string>()));
        Assert.Equal(204, (await http.Call(HttpMethod.Get, "api/v4/leads")).Code);
        Assert.Equal(2, (await http.Call(HttpMethod.Get, "api/v4/users")).Embedded("users").Count);
    }

    [Fact, Trait("sandbox-md", "control API")]
    public async Task The_request_log_records_method_path_status_time_and_sizes()
    {
        await _amo.Control.ClearRequestsAsync();
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await _amo.Get("api/v4/leads?limit=5");
        await _amo.Post("api/v4/leads", new JsonArray(new JsonObject { ["name"] = "Logged" }));
        await _amo.Get("api/v4/leads/1");

        var log = await _amo.Control.RequestsAsync(_amo.AccountId);
        Assert.Equal(3, log.Count);
        Assert.Equal(("GET", "/api/v4/leads", "?limit=5", 200), (log[0].Method, log[0].Path, log[0].Query, log[0].Status));
        Assert.True(log[0].ResponseBytes > 0);
        Assert.InRange(log[0].AtMs, started - 1000, started + 60_000);
        Assert.Equal(("POST", 200), (log[1].Method, log[1].Status));
        Assert.True(log[1].RequestBytes > 0);
        Assert.Equal((204, 0L), (log[2].Status, log[2].ResponseBytes));
        Assert.Empty(await _amo.Control.RequestsAsync(_amo.AccountId, afterId: log[2].Id));
    }

    [Fact, Trait("api-notes", "§16")]
    public async Task The_widget_token_is_an_HS256_JWT_over_the_client_secret_with_amoCRMs_claims()
    {
        var options = _amo.Server.Options;

        var token = await _amo.Control.WidgetTokenAsync(_amo.AccountId, userId: 5000001);

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Base64Url(parts[0]))!;
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.ClientSecret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(expected, Base64UrlBytes(parts[2]));
        var claims = JsonNode.Parse(Base64Url(parts[1]))!;
        Assert.Equal("https://dealcopy-demo.amocrm.ru", claims["iss"]!.GetValue<string>());
        var redirect = new Uri(options.RedirectUri);
        Assert.Equal($"{redirect.Scheme}://{redirect.Authority}", claims["aud"]!.GetValue<string>());
        Assert.True(Guid.TryParse(claims["jti"]!.GetValue<string>(), out _));
        var iat = claims["iat"]!.GetValue<long>();
        Assert.True(claims["nbf"]!.GetValue<long>() <= iat);
        Assert.Equal(1800, claims["exp"]!.GetValue<long>() - iat);
        Assert.Equal(_amo.AccountId, claims["account_id"]!.GetValue<long>());
        Assert.Equal(5000001, claims["user_id"]!.GetValue<long>());
        Assert.Equal(options.ClientId, claims["client_uuid"]!.GetValue<string>());
        Assert.Equal("dealcopy-demo", claims["subdomain"]!.GetValue<string>());
        Assert.True(claims["is_admin"]!.GetValue<bool>());

        var manager = JsonNode.Parse(Base64Url((await _amo.Control.WidgetTokenAsync(_amo.AccountId, userId: 5000002)).Split('.')[1]))!;
        Assert.False(manager["is_admin"]!.GetValue<bool>());
        Assert.NotEqual(claims["jti"]!.GetValue<string>(), manager["jti"]!.GetValue<string>());
    }

    [Fact, Trait("sandbox-md", "control API")]
    public async Task The_control_API_refuses_an_amoCRM_bearer_token()
    {
        Problem.Assert(await _amo.Http.Call(HttpMethod.Post, "_sandbox/reset"), 403);
        Problem.Assert(await _amo.Http.Call(HttpMethod.Get, $"_sandbox/accounts/{_amo.AccountId}/dump"), 403);
    }

    [Theory, Trait("sandbox-md", "control API")]
    [InlineData("POST", "_sandbox/faults", """{"path":"/api/v4/leads","kind":""")]
    [InlineData("POST", "_sandbox/faults", """{"path":"/api/v4/leads","kind":"explode"}""")]
    [InlineData("POST", "_sandbox/faults", """{"path":"/api/v4/leads","kind":"status","status":"five hundred"}""")]
    [InlineData("POST", "_sandbox/faults", """[1,2]""")]
    [InlineData("POST", "_sandbox/clock/advance", """{"seconds":"soon"}""")]
    [InlineData("POST", "_sandbox/clock/advance", """{"seconds":-5}""")]
    [InlineData("POST", "_sandbox/accounts", """{"subdomain":"bad domain!"}""")]
    [InlineData("POST", "_sandbox/accounts", """{"users":"nobody"}""")]
    [InlineData("PUT", "_sandbox/accounts/31000001/dp/triggers", """{"pipeline_id":1}""")]
    [InlineData("POST", "_sandbox/accounts/31000001/dp/move", """{"lead_ids":[]}""")]
    [InlineData("POST", "_sandbox/accounts/31000001/tokens", """{"user_id":"admin"}""")]
    public async Task A_malformed_control_request_is_a_400_problem(string method, string path, string body)
    {
        using var http = new HttpClient { BaseAddress = _amo.Server.BaseAddress };

        var answer = await http.Call(new HttpMethod(method), path, rawBody: body);

        Problem.Assert(answer, 400);
    }

    private static string Base64Url(string s) => Encoding.UTF8.GetString(Base64UrlBytes(s));

    private static byte[] Base64UrlBytes(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + (b.Length % 4) switch { 2 => "==", 3 => "=", _ => "" });
    }
}
