using DealCopy.Host.Hosting;

namespace DealCopy.Actors.Tests.Host;

public sealed class AllowedOriginTests
{
    private static readonly string[] Extras = ["https://widget.example.com", "http://localhost:5173"];

    [Theory]
    [InlineData("https://x.amocrm.ru")]
    [InlineData("https://y.kommo.com")]
    [InlineData("https://my-company.amocrm.ru")]
    [InlineData("https://X.AMOCRM.RU")]
    [InlineData("https://x.amocrm.ru:443")]
    [InlineData("https://widget.example.com")]
    [InlineData("HTTPS://WIDGET.EXAMPLE.COM")]
    [InlineData("http://localhost:5173")]
    public void Account_pages_and_configured_origins_are_allowed(string origin) =>
        Assert.True(DealCopyApp.AllowedOrigin(origin, Extras), origin);

    [Theory]
    [InlineData("http://x.amocrm.ru")]
    [InlineData("http://y.kommo.com")]
    [InlineData("https://amocrm.ru.evil.com")]
    [InlineData("https://x.amocrm.ru.evil.com")]
    [InlineData("https://evilamocrm.ru")]
    [InlineData("https://evil-kommo.com")]
    [InlineData("https://kommo.com.evil.com")]
    [InlineData("https://x.amocrm.com")]
    [InlineData("https://evil.com")]
    [InlineData("https://evil.com#.amocrm.ru")]
    [InlineData("https://evil.com?.amocrm.ru")]
    [InlineData("https://evil.com\\.amocrm.ru")]
    [InlineData("wss://x.amocrm.ru")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("x.amocrm.ru")]
    [InlineData("https://widget.example.com.evil.com")]
    [InlineData("http://widget.example.com")]
    [InlineData("http://localhost:5174")]
    public void Anything_else_is_refused(string origin) =>
        Assert.False(DealCopyApp.AllowedOrigin(origin, Extras), origin);

    [Fact]
    public void Without_extras_only_account_pages_are_allowed()
    {
        Assert.True(DealCopyApp.AllowedOrigin("https://x.amocrm.ru", []));
        Assert.False(DealCopyApp.AllowedOrigin("https://widget.example.com", []));
    }

    [Fact]
    public void A_configured_origin_written_with_a_trailing_slash_still_matches_what_browsers_send()
    {
        Assert.True(DealCopyApp.AllowedOrigin("https://widget.example.com", ["https://widget.example.com/"]));
    }
}
