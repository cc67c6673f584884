using System.Runtime.CompilerServices;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Endpoints;

/// <summary>The request shapes every endpoint shares: one object, a paged HAL list, ids in chunks, batch writes.</summary>
internal sealed class AmoCalls
{
    private readonly AmoHttp _http;

    public AmoCalls(AmoHttp http, AmoAccount account)
    {
        _http = http;
        Account = account;
    }

    public AmoAccount Account { get; }

    public AmoClientOptions Options => _http.Options;

    public Task<JToken?> SendAsync(HttpMethod method, string pathAndQuery, object? body, bool repeatable, CancellationToken ct) =>
        _http.SendAsync(Account, method, pathAndQuery, body, repeatable, ct);

    /// <summary>One object; null when amoCRM answers 204.</summary>
    public async Task<T?> GetOneAsync<T>(string path, AmoQuery? query, CancellationToken ct) where T : class
    {
        var json = await SendAsync(HttpMethod.Get, query?.AppendTo(path) ?? path, null, repeatable: true, ct).ConfigureAwait(false);
        return json is JObject ? AmoJson.ToObject<T>(json) : null;
    }

    /// <summary>Every item of a HAL list, page after page following <c>_links.next</c>; nothing when amoCRM answers 204.</summary>
    public async IAsyncEnumerable<T> GetPagesAsync<T>(string path, AmoQuery? query, string embeddedKey, [EnumeratorCancellation] CancellationToken ct)
    {
        string? next = query?.AppendTo(path) ?? path;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (next is not null && seen.Add(next))
        {
            var json = await SendAsync(HttpMethod.Get, next, null, repeatable: true, ct).ConfigureAwait(false);
            if (json is not JObject page)
            {
                yield break;
            }
            foreach (var item in Embedded(page, embeddedKey))
            {
                yield return AmoJson.ToObject<T>(item)!;
            }
            next = NextPage(page);
        }
    }

    public async Task<List<T>> GetAllAsync<T>(string path, AmoQuery? query, string embeddedKey, CancellationToken ct)
    {
        var result = new List<T>();
        await foreach (var item in GetPagesAsync<T>(path, query, embeddedKey, ct).ConfigureAwait(false))
        {
            result.Add(item);
        }
        return result;
    }

    /// <summary>Items for many ids: <paramref name="ids"/> in chunks of the read batch size, each chunk as one filtered (and paged) list.</summary>
    public async Task<List<T>> GetByIdsAsync<T>(string path, string idFilterKey, IEnumerable<long> ids, Action<AmoQuery>? addToQuery, string embeddedKey, CancellationToken ct)
    {
        var result = new List<T>();
        foreach (var chunk in ChunkForQuery(ids.Distinct(), idFilterKey, Options))
        {
            await ReadChunkAsync(chunk).ConfigureAwait(false);
        }
        return result;

        async Task ReadChunkAsync(long[] chunk)
        {
            var query = new AmoQuery().AddMany(idFilterKey, chunk).Add("limit", Options.MaxReadBatch);
            addToQuery?.Invoke(query);
            try
            {
                result.AddRange(await GetAllAsync<T>(path, query, embeddedKey, ct).ConfigureAwait(false));
            }
            catch (AmoBatchTooLargeException) when (chunk.Length > 1)
            {
                var half = chunk.Length / 2;
                await ReadChunkAsync(chunk[..half]).ConfigureAwait(false);
                await ReadChunkAsync(chunk[half..]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Chunks of at most <see cref="AmoClientOptions.MaxReadBatch"/> ids whose filter also fits in
    /// <see cref="AmoClientOptions.MaxIdQueryLength"/> characters (servers refuse long request lines with 414).
    /// </summary>
    internal static IEnumerable<long[]> ChunkForQuery(IEnumerable<long> ids, string idFilterKey, AmoClientOptions options)
    {
        var maxCount = Math.Max(1, options.MaxReadBatch);
        var chunk = new List<long>();
        var length = 0;
        foreach (var id in ids)
        {
            var pairLength = idFilterKey.Length + 2 + id.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            if (chunk.Count > 0 && (chunk.Count == maxCount || length + pairLength > options.MaxIdQueryLength))
            {
                yield return chunk.ToArray();
                chunk.Clear();
                length = 0;
            }
            chunk.Add(id);
            length += pairLength;
        }
        if (chunk.Count > 0)
        {
            yield return chunk.ToArray();
        }
    }

    /// <summary>
    /// Writes <paramref name="items"/> in batches (the write batch size, halved on 504) and returns what amoCRM created or
    /// updated in the order of <paramref name="items"/>, matched by request id. Empty request ids are filled with the item's index.
    /// </summary>
    public async Task<IReadOnlyList<WrittenEntity>> WriteBatchAsync<TItem>(
        HttpMethod method, string path, IReadOnlyList<TItem> items, string embeddedKey,
        Func<TItem, string?>? getRequestId, Action<TItem, string>? setRequestId, int batchSize, bool repeatable, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return [];
        }
        var requestIds = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var rid = getRequestId?.Invoke(items[i]);
            if (string.IsNullOrEmpty(rid))
            {
                rid = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                setRequestId?.Invoke(items[i], rid);
            }
            requestIds[i] = rid;
        }

        var written = new List<WrittenEntity>();
        var indexes = Enumerable.Range(0, items.Count).ToArray();
        foreach (var chunk in indexes.Chunk(Math.Max(1, batchSize)))
        {
            await WriteChunkAsync(chunk).ConfigureAwait(false);
        }
        return written;

        async Task WriteChunkAsync(int[] chunk)
        {
            try
            {
                var body = chunk.Select(i => items[i]).ToList();
                var json = await SendAsync(method, path, body, repeatable, ct).ConfigureAwait(false);
                written.AddRange(MatchResults(json, embeddedKey, chunk.Select(i => requestIds[i]).ToList(), getRequestId is not null));
            }
            catch (AmoBatchTooLargeException) when (chunk.Length > 1 && repeatable)
            {
                // only a write that may be repeated: a 504 can come after amoCRM committed (API-NOTES §3), and halves of a
                // create sent again would make everything twice; the caller of a create reconciles and sends smaller batches
                var half = chunk.Length / 2;
                await WriteChunkAsync(chunk[..half]).ConfigureAwait(false);
                await WriteChunkAsync(chunk[half..]).ConfigureAwait(false);
            }
            catch (AmoValidationException e)
            {
                e.WrittenBeforeFailure = written.ToList();
                throw;
            }
        }
    }

    private static IEnumerable<WrittenEntity> MatchResults(JToken? json, string embeddedKey, IReadOnlyList<string> sentRequestIds, bool echoed)
    {
        var results = json is JObject o
            ? Embedded(o, embeddedKey).Select(t => AmoJson.ToObject<WrittenEntity>(t)!).ToList()
            : json is JArray a ? a.Select(t => AmoJson.ToObject<WrittenEntity>(t)!).ToList() : [];
        if (!echoed || results.Any(r => r.RequestId is null))
        {
            // no request ids to match (e.g. link answers): amoCRM answers in request order
            for (var i = 0; i < results.Count; i++)
            {
                results[i].RequestId ??= i < sentRequestIds.Count ? sentRequestIds[i] : null;
            }
            return results;
        }
        var byRequestId = results.ToLookup(r => r.RequestId!, StringComparer.Ordinal);
        var ordered = sentRequestIds.SelectMany(rid => byRequestId[rid]).ToList();
        // anything amoCRM returned under an id we did not send is still reported
        ordered.AddRange(results.Where(r => !sentRequestIds.Contains(r.RequestId!)));
        return ordered;
    }

    internal static IEnumerable<JToken> Embedded(JObject page, string key) =>
        page["_embedded"]?[key] is JArray items ? items : [];

    /// <summary>The next page's path and query, kept on this account's host (the token never follows a link elsewhere).</summary>
    internal static string? NextPage(JObject page)
    {
        var href = (string?)page["_links"]?["next"]?["href"];
        if (string.IsNullOrEmpty(href))
        {
            return null;
        }
        return Uri.TryCreate(href, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : href;
    }
}

/// <summary>How reads by id are split into requests (the filter key, the read batch, the request line's length): for budgeting without calling.</summary>
public static class ReadChunks
{
    public const string LeadIds = "filter[id][]";
    public const string EntityIds = "filter[entity_id][]";

    /// <summary>The id chunks a read of <paramref name="ids"/> sends, one (paged) list request each.</summary>
    public static IEnumerable<long[]> Of(IEnumerable<long> ids, string idFilterKey, AmoClientOptions options) =>
        AmoCalls.ChunkForQuery(ids.Distinct(), idFilterKey, options);
}
