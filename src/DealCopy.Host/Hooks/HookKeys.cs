using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DealCopy.Host.Hooks;

/// <summary>
/// The secrets behind the unsigned hooks: the per-account Digital Pipeline key (HMAC of the account id with
/// <c>Security:DpKeySecret</c>; the widget's DP settings carry it), amoCRM's disconnect signature
/// (HMAC-SHA256 of <c>client_uuid|account_id</c> with the client secret, API-NOTES §1.6) and our OAuth <c>state</c>.
/// All comparisons are constant-time.
/// </summary>
public sealed class HookKeys(string dpKeySecret, string clientId, string clientSecret)
{
    public string DpKeyFor(long accountId) =>
        Hex(dpKeySecret, "dp-key:" + accountId.ToString(CultureInfo.InvariantCulture))[..32];

    public bool IsDpKey(long accountId, string? key) => Same(DpKeyFor(accountId), key);

    public bool IsDisconnectSignature(string? clientUuid, string? accountId, string? signature) =>
        clientUuid == clientId && Same(Hex(clientSecret, $"{clientUuid}|{accountId}"), signature?.ToLowerInvariant());

    /// <summary>A state for an install link: a nonce and its MAC.</summary>
    public string NewState()
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return $"{nonce}.{Hex(clientSecret, "state:" + nonce)[..32]}";
    }

    public bool IsState(string? state)
    {
        var parts = state?.Split('.');
        return parts is { Length: 2 } && Same(Hex(clientSecret, "state:" + parts[0])[..32], parts[1]);
    }

    private static string Hex(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));

    private static bool Same(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
}
