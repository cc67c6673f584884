using System.Security.Cryptography;
using System.Text;
using DealCopy.AmoClient.OAuth;
using Newtonsoft.Json;

namespace DealCopy.Actors.Accounts;

/// <summary>
/// Seals OAuth tokens for the journal with AES-256-GCM under <c>Security:TokenEncryptionKey</c>
/// (ARCHITECTURE §3.8: tokens are encrypted at rest and never logged).
/// </summary>
public sealed class TokenVault
{
    private readonly byte[] _key;

    public TokenVault(string secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 16)
            throw new ArgumentException("Security:TokenEncryptionKey must be at least 16 characters", nameof(secret));
        _key = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    private sealed record Sealed(string A, string? R, long? E);

    public string Seal(AmoTokens tokens)
    {
        var plain = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(new Sealed(tokens.AccessToken, tokens.RefreshToken, tokens.ExpiresAt?.ToUnixTimeSeconds())));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(_key, 16)) aes.Encrypt(nonce, plain, cipher, tag);
        return "v1." + Convert.ToBase64String(nonce.Concat(tag).Concat(cipher).ToArray());
    }

    public AmoTokens Open(string sealedTokens)
    {
        if (!sealedTokens.StartsWith("v1.", StringComparison.Ordinal)) throw new CryptographicException("unknown token seal version");
        var raw = new byte[sealedTokens.Length];
        // a truncated or mangled seal is unreadable like a wrong key: one exception type for callers
        if (!Convert.TryFromBase64String(sealedTokens[3..], raw, out var length) || length < 28) throw new CryptographicException("the sealed tokens are damaged");
        raw = raw[..length];
        var nonce = raw[..12];
        var tag = raw[12..28];
        var cipher = raw[28..];
        var plain = new byte[cipher.Length];
        using (var aes = new AesGcm(_key, 16)) aes.Decrypt(nonce, cipher, tag, plain);
        var s = JsonConvert.DeserializeObject<Sealed>(Encoding.UTF8.GetString(plain))!;
        return new AmoTokens(s.A, s.R, s.E is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null);
    }
}
