using System.Net;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Tests.Support;

namespace DealCopy.AmoClient.Tests.Dtos;

/// <summary>What each amoCRM error answer becomes (the pure part; the sandbox tests cover it over HTTP).</summary>
public sealed class ErrorMappingTests
{
    private static AmoApiException Map(int status, string body, string contentType = "application/problem+json") =>
        AmoErrorMapper.Map("POST", "/api/v4/leads", (HttpStatusCode)status, contentType, body, null);

    [Fact]
    public void Documented_validation_error_names_the_entity_by_request_id()
    {
        var e = Assert.IsType<AmoValidationException>(Map(400, Examples.Text("error-codes-01")));

        var error = Assert.Single(e.ErrorsFor("0"));
        Assert.Equal("NotSupportedChoice", error.Code);
        Assert.Equal("custom_fields_values.0.field_id", error.Path);
        Assert.Equal(AmoErrorKind.Validation, e.Kind);
    }

    [Fact]
    public void Second_validation_shape_names_the_entity_by_id()
    {
        var e = Assert.IsType<AmoValidationException>(Map(400,
            """{"errors":{"3912171":"Loss reason can be specified only for lost lead"},"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Invalid request body"}"""));

        var error = Assert.Single(e.Errors);
        Assert.Equal(3912171, error.EntityId);
        Assert.Equal("Loss reason can be specified only for lost lead", error.Detail);
    }

    [Fact]
    public void Rate_limit_carries_retry_after_from_the_body()
    {
        var e = Assert.IsType<AmoRateLimitedException>(Map(429,
            """{"title":"Too Many Requests","type":"https://httpstatus.es/429","status":429,"detail":"Too many","retry_after":300}"""));

        Assert.Equal(TimeSpan.FromSeconds(300), e.RetryAfter);
    }

    [Fact]
    public void Html_403_is_a_stop_with_status_and_body_excerpt_in_the_message()
    {
        var e = Assert.IsType<AmoForbiddenException>(Map(403, "<html><body><h1>Доступ заблокирован</h1></body></html>", "text/html"));

        Assert.True(e.IsHtml);
        Assert.Contains("403", e.Message);
        Assert.Contains("Доступ заблокирован", e.Message);
    }

    [Theory]
    [InlineData(401, typeof(AmoReauthorizationRequiredException))]
    [InlineData(402, typeof(AmoPaymentRequiredException))]
    [InlineData(404, typeof(AmoNotFoundException))]
    [InlineData(500, typeof(AmoTransientException))]
    [InlineData(502, typeof(AmoTransientException))]
    [InlineData(503, typeof(AmoTransientException))]
    [InlineData(504, typeof(AmoBatchTooLargeException))]
    [InlineData(422, typeof(AmoValidationException))]
    [InlineData(405, typeof(AmoUnexpectedResponseException))]
    public void Status_maps_to_what_the_caller_must_do(int status, Type expected)
    {
        var e = Map(status, $$"""{"title":"x","status":{{status}},"detail":"d"}""");

        Assert.IsType(expected, e);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
    }

    [Fact]
    public void Html_where_json_was_due_is_a_clear_error_not_a_crash()
    {
        var e = Map(400, "<!DOCTYPE html><html><title>Bad gateway</title></html>", "text/html");

        var unexpected = Assert.IsType<AmoUnexpectedResponseException>(e);
        Assert.Contains("400", unexpected.Message);
        Assert.Contains("Bad gateway", unexpected.Message);
    }
}
