using System.Net;
using System.Text;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.OAuth;

/// <summary>The answer of <c>POST /oauth2/access_token</c>.</summary>
public sealed class AmoTokenResponse : Model.AmoEntity
{
    public string? TokenType { get; set; }
    public long ExpiresIn { get; set; }
    public long? ServerTime { get; set; }
    public string AccessToken { get; set; } = "";
    public string? RefreshToken { get; set; }
}

/// <summary>Token requests to <c>POST {base}/oauth2/access_token</c> (API-NOTES §1). Stateless; see <see cref="AmoTokenManager"/> for refresh rules.</summary>
public sealed class AmoOAuthClient
{
    private readonly HttpClient _http;
    private readonly AmoClientOptions _options;
    private readonly TimeProvider _time;

    public AmoOAuthClient(HttpClient http, AmoClientOptions options, TimeProvider? time = null)
    {
        _http = http;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Exchanges an authorization code (single use, 20 minutes) for a token pair.</summary>
    public Task<AmoTokens> ExchangeCodeAsync(Uri baseAddress, string code, CancellationToken cancellationToken) =>
        RequestAsync(baseAddress, new JObject { ["grant_type"] = "authorization_code", ["code"] = code }, cancellationToken);

    /// <summary>Exchanges a refresh token for a new pair; the old refresh token is spent.</summary>
    public Task<AmoTokens> RefreshAsync(Uri baseAddress, string refreshToken, CancellationToken cancellationToken) =>
        RequestAsync(baseAddress, new JObject { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken);

    private async Task<AmoTokens> RequestAsync(Uri baseAddress, JObject grant, CancellationToken cancellationToken)
    {
        const string path = "/oauth2/access_token";
        grant["client_id"] = _options.ClientId;
        grant["client_secret"] = _options.ClientSecret;
        grant["redirect_uri"] = _options.RedirectUri;

        using var timeout = new CancellationTokenSource(_options.OAuthTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path))
        {
            Content = new StringContent(grant.ToString(Newtonsoft.Json.Formatting.None), Encoding.UTF8, "application/json"),
        };
        AmoHttp.AddStandardHeaders(request, _options);

        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AmoTransientException($"POST {path}: no answer within {_options.OAuthTimeout.TotalSeconds:0.#} s", null, e, isTimeout: true);
        }
        catch (HttpRequestException e)
        {
            throw new AmoTransientException($"POST {path}: the connection failed before an answer ({e.Message})", null, e);
        }

        using (response)
        {
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var json = AmoErrorMapper.TryParse(body) as JObject;
                var parsed = json?.ToObject<AmoTokenResponse>(AmoJson.Serializer);
                if (parsed is null || string.IsNullOrEmpty(parsed.AccessToken))
                {
                    throw new AmoUnexpectedResponseException(
                        $"POST {path} answered 200 without a token: {AmoResponseInfo.Excerpt(body) ?? "(empty)"}",
                        new AmoResponseInfo("POST", path, response.StatusCode, contentType, null, null, AmoResponseInfo.Excerpt(body)));
                }
                var expiresAt = parsed.ExpiresIn > 0 ? _time.GetUtcNow().AddSeconds(parsed.ExpiresIn) : AmoAccessTokenClaims.ExpiresAt(parsed.AccessToken);
                return new AmoTokens(parsed.AccessToken, string.IsNullOrEmpty(parsed.RefreshToken) ? null : parsed.RefreshToken, expiresAt);
            }

            var problem = AmoErrorMapper.TryParse(body) as JObject;
            var info = new AmoResponseInfo("POST", path, response.StatusCode, contentType,
                (string?)problem?["title"], (string?)problem?["hint"] ?? (string?)problem?["detail"], AmoResponseInfo.Excerpt(body));
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && problem is not null)
            {
                // the grant (code or refresh token) is invalid, spent or expired: only a new authorization helps
                throw new AmoReauthorizationRequiredException(
                    $"amoCRM refused the {(string?)grant["grant_type"]} grant: {info.Describe()}. The account must authorize the integration again.", info);
            }
            throw AmoErrorMapper.Map("POST", path, response.StatusCode, contentType, body, null);
        }
    }
}
