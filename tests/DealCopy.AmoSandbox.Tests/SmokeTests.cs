using System.Net;
using System.Net.Http.Headers;

namespace DealCopy.AmoSandbox.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task The_demo_token_reads_the_demo_accounts_pipelines_over_real_http()
    {
        await using var sandbox = await AmoSandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.DemoToken);

        using var response = await http.GetAsync("api/v4/leads/pipelines");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/hal+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"Продажи\"", await response.Content.ReadAsStringAsync());
    }
}
