using DealCopy.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace DealCopy.Host.Tests;

/// <summary>A Host that cannot work refuses to start and says which setting to fix.</summary>
public sealed class StartupTests
{
    private static readonly Dictionary<string, string?> Complete = new()
    {
        ["Amo:ClientId"] = "7a3b1f9e-5c2d-4e8a-9b6f-0d1c2e3f4a5b",
        ["Amo:ClientSecret"] = "a-client-secret-of-at-least-32-bytes!!",
        ["Amo:RedirectUri"] = "https://dealcopy.example.com/oauth/callback",
        ["Security:TokenEncryptionKey"] = "token-encryption-key-0123",
        ["Security:DpKeySecret"] = "dp-key-secret-0123456789",
    };

    private static Task<DealCopyApp.Built> BuildWith(Dictionary<string, string?> settings) =>
        DealCopyApp.BuildAsync(["--urls", "http://127.0.0.1:0"], b => b.Configuration.AddInMemoryCollection(settings));

    [Fact]
    public async Task Without_secrets_it_names_every_missing_one()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildWith(new Dictionary<string, string?> { ["Amo:ClientId"] = "x" }));
        foreach (var key in new[] { "Amo:ClientSecret (at least 32 bytes)", "Amo:RedirectUri", "Security:TokenEncryptionKey (at least 16 bytes)", "Security:DpKeySecret (at least 16 bytes)" })
            Assert.Contains(key, e.Message);
        Assert.DoesNotContain("Amo:ClientId", e.Message.Split("set ")[1].Split(" (environment")[0]);
    }

    [Theory]
    [InlineData("Akka:AccountIdleSeconds", "0")]
    [InlineData("Akka:DownUnreachableAfterSeconds", "0")]
    [InlineData("Akka:HeartbeatPauseSeconds", "soon")]
    [InlineData("Amo:RequestsPerSecond", "0")]
    [InlineData("Amo:WindowMarginMs", "-5")]
    [InlineData("Security:TokenClockSkewSeconds", "a minute")]
    public async Task A_setting_out_of_range_is_named(string key, string value)
    {
        var settings = new Dictionary<string, string?>(Complete) { [key] = value };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildWith(settings));
        Assert.Contains(key, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }
}
