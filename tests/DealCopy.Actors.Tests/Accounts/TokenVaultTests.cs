using System.Security.Cryptography;
using DealCopy.Actors.Accounts;
using DealCopy.AmoClient.OAuth;

namespace DealCopy.Actors.Tests.Accounts;

public sealed class TokenVaultTests
{
    private const string Key = "a-token-encryption-key-for-tests";
    private static readonly AmoTokens Tokens = new("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-token-secret", "def50200refresh-token-secret", DateTimeOffset.FromUnixTimeSeconds(1700086400));

    [Fact]
    public void Sealed_tokens_open_to_the_same_tokens()
    {
        var vault = new TokenVault(Key);

        Assert.Equal(Tokens, vault.Open(vault.Seal(Tokens)));
    }

    [Fact]
    public void Tokens_without_refresh_token_and_expiry_round_trip()
    {
        var vault = new TokenVault(Key);
        var tokens = new AmoTokens("long-lived-token", null, null);

        Assert.Equal(tokens, vault.Open(vault.Seal(tokens)));
    }

    [Fact]
    public void Sealed_text_shows_no_part_of_the_tokens_and_differs_every_time()
    {
        var vault = new TokenVault(Key);

        var first = vault.Seal(Tokens);
        var second = vault.Seal(Tokens);

        Assert.NotEqual(first, second);
        foreach (var secret in new[] { "access-token-secret", "refresh-token-secret", "eyJ0eXAi", "def50200" })
            Assert.DoesNotContain(secret, first, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_cannot_open_them()
    {
        var sealedTokens = new TokenVault(Key).Seal(Tokens);

        Assert.ThrowsAny<CryptographicException>(() => new TokenVault(Key + "!").Open(sealedTokens));
    }

    [Fact]
    public void Tampered_or_unknown_seals_are_refused()
    {
        var vault = new TokenVault(Key);
        var sealedTokens = vault.Seal(Tokens);
        var bytes = Convert.FromBase64String(sealedTokens[3..]);
        bytes[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => vault.Open("v1." + Convert.ToBase64String(bytes)));
        Assert.ThrowsAny<CryptographicException>(() => vault.Open("v2." + sealedTokens[3..]));
        Assert.ThrowsAny<CryptographicException>(() => vault.Open("v1.AAAA"));
        Assert.ThrowsAny<CryptographicException>(() => vault.Open("v1.not base64!"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("short")]
    [InlineData("fifteen-chars!!")]
    public void A_short_key_is_refused(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => new TokenVault(key));
        Assert.Contains("Security:TokenEncryptionKey", e.Message, StringComparison.Ordinal);
    }
}
