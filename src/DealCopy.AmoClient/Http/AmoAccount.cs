namespace DealCopy.AmoClient;

/// <summary>An amoCRM account the client talks to: its id (the token store's key) and its API base address.</summary>
public sealed record AmoAccount(long AccountId, Uri BaseAddress)
{
    /// <summary>
    /// The API base from the <c>referer</c> amoCRM sends with an authorization code (e.g. <c>acme.amocrm.ru</c> →
    /// <c>https://acme.amocrm.ru/</c>); a full URL is accepted as is. Never hardcode amocrm.ru: Kommo accounts live on kommo.com.
    /// </summary>
    public static Uri BaseAddressFromReferer(string referer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(referer);
        var text = referer.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{referer}' is not an amoCRM account address.", nameof(referer));
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
