using System.Net;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace DealCopy.AmoClient.Tests.Dtos;

/// <summary>How successful answers are read, and token rules that need no network.</summary>
public sealed class ResponseReadingTests
{
    private static readonly AmoRequestLabel Label = new(new AmoAccount(1, new Uri("https://acme.amocrm.ru/")), HttpMethod.Get, "/api/v4/leads?filter[id][]=1", null);

    [Fact]
    public void No_content_is_nothing_not_an_error()
    {
        Assert.Null(AmoHttp.Interpret(Label, new AmoHttp.RawAnswer(HttpStatusCode.NoContent, null, "", null)));
    }

    [Fact]
    public void Truncated_json_on_success_is_a_clear_error_naming_status_and_body()
    {
        var e = Assert.Throws<AmoUnexpectedResponseException>(() =>
            AmoHttp.Interpret(Label, new AmoHttp.RawAnswer(HttpStatusCode.OK, "application/hal+json", """{"_embedded":{"leads":[{"id":1""", null)));

        Assert.Contains("200", e.Message);
        Assert.Contains("""{"_embedded":{"leads":[{"id":1""", e.Message);
        Assert.Equal("/api/v4/leads", e.Response!.Path);
    }

    [Fact]
    public void Html_on_success_is_a_clear_error_not_an_empty_list()
    {
        var e = Assert.Throws<AmoUnexpectedResponseException>(() =>
            AmoHttp.Interpret(Label, new AmoHttp.RawAnswer(HttpStatusCode.OK, "text/html", "<html><body>Технические работы</body></html>", null)));

        Assert.Contains("Технические работы", e.Message);
    }

    [Fact]
    public void Retry_after_header_is_used_when_the_body_has_none()
    {
        var e = Assert.IsType<AmoRateLimitedException>(
            AmoErrorMapper.Map("GET", "/api/v4/leads", HttpStatusCode.TooManyRequests, "text/plain", "Too Many Requests", TimeSpan.FromSeconds(7)));

        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    [Fact]
    public void Numeric_group_id_of_a_field_is_read_as_text()
    {
        var field = AmoJson.Deserialize<CustomField>("""{"id":1,"group_id":12345,"type":"text"}""");

        Assert.Equal("12345", field.GroupId);
    }

    [Fact]
    public async Task Expired_long_lived_token_asks_for_a_new_one_without_calling_amoCRM()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryAmoTokenStore();
        await store.SaveAsync(1, AmoTokens.LongLived("t", time.GetUtcNow().AddDays(1)), default);
        using var http = new HttpClient();
        var options = new AmoClientOptions();
        var manager = new AmoTokenManager(store, new AmoOAuthClient(http, options, time), options, time);
        var account = new AmoAccount(1, new Uri("https://acme.amocrm.ru/"));

        Assert.Equal("t", await manager.GetAccessTokenAsync(account, default));
        time.Advance(TimeSpan.FromDays(2));
        var e = await Assert.ThrowsAsync<AmoReauthorizationRequiredException>(() => manager.GetAccessTokenAsync(account, default));

        Assert.Contains("Keys", e.Message);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(251, 50)]
    [InlineData(250, 0)]
    [InlineData(250, 251)]
    public void Batch_sizes_outside_amoCRMs_limits_are_refused_at_start(int read, int write)
    {
        using var http = new HttpClient();
        var options = new AmoClientOptions { MaxReadBatch = read, MaxWriteBatch = write };

        Assert.Throws<ArgumentOutOfRangeException>(() => new AmoClient(http, options, new InMemoryAmoTokenStore()));
    }

    [Fact]
    public void Tokens_never_print_their_secrets()
    {
        var text = new AmoTokens("secret-access", "secret-refresh", null).ToString();

        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public void Account_id_is_read_from_amoCRMs_access_token()
    {
        // header.payload.signature with payload {"account_id":31000001,"exp":1800000000}
        var payload = Convert.ToBase64String("""{"account_id":31000001,"exp":1800000000}"""u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(31000001, AmoAccessTokenClaims.AccountId($"e30.{payload}.sig"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1800000000), AmoAccessTokenClaims.ExpiresAt($"e30.{payload}.sig"));
        Assert.Null(AmoAccessTokenClaims.AccountId("dealcopy-sandbox-demo-token"));
    }

    [Fact]
    public void Id_reads_are_cut_by_count_and_by_query_length()
    {
        var options = new AmoClientOptions();
        var small = Endpoints.AmoCalls.ChunkForQuery(Enumerable.Range(1, 600).Select(i => (long)i), "filter[id][]", options).ToList();
        var large = Endpoints.AmoCalls.ChunkForQuery(Enumerable.Range(1, 600).Select(i => 1_000_000_000L + i), "filter[id][]", options).ToList();

        Assert.Equal([250, 250, 100], small.Select(c => c.Length));
        Assert.All(large, c => Assert.True(c.Sum(id => "filter[id][]=".Length + 1 + id.ToString(System.Globalization.CultureInfo.InvariantCulture).Length) <= 6000));
        Assert.Equal(600, large.Sum(c => c.Length));
    }
}
