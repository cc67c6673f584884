using DealCopy.AmoClient.Model;

namespace DealCopy.AmoClient.Endpoints;

/// <summary>What to embed in a lead (<c>with=</c>).</summary>
[Flags]
public enum LeadWith
{
    None = 0,
    Contacts = 1,
    CatalogElements = 2,
    LossReason = 4,
    SourceId = 8,
    Source = 16,
    IsPriceModifiedByRobot = 32,
    OnlyDeleted = 64,
    /// <summary>Everything a copy needs.</summary>
    ForCopy = Contacts | CatalogElements | LossReason | SourceId,
}

/// <summary>A filter for listing leads (API-NOTES §4.1).</summary>
public sealed class LeadFilter
{
    public IReadOnlyCollection<long>? Ids { get; set; }
    public IReadOnlyCollection<long>? PipelineIds { get; set; }
    /// <summary>Leads in these (pipeline, status) stages.</summary>
    public IReadOnlyCollection<(long PipelineId, long StatusId)>? Statuses { get; set; }
    public IReadOnlyCollection<long>? ResponsibleUserIds { get; set; }
    public string? Name { get; set; }
    public string? Query { get; set; }
    public (long? From, long? To)? CreatedAt { get; set; }
    public (long? From, long? To)? UpdatedAt { get; set; }
    public (long? From, long? To)? ClosedAt { get; set; }
    /// <summary><c>id</c>, <c>created_at</c> or <c>updated_at</c>.</summary>
    public string? OrderBy { get; set; }
    public bool OrderDescending { get; set; }
    public LeadWith With { get; set; }
    /// <summary>Page size (≤ 250).</summary>
    public int? Limit { get; set; }

    internal AmoQuery ToQuery(int defaultLimit)
    {
        var q = new AmoQuery();
        if (Ids is not null) q.AddMany("filter[id][]", Ids);
        if (PipelineIds is not null) q.AddMany("filter[pipeline_id][]", PipelineIds);
        if (Statuses is not null)
        {
            var i = 0;
            foreach (var (pipelineId, statusId) in Statuses)
            {
                q.Add($"filter[statuses][{i}][pipeline_id]", pipelineId).Add($"filter[statuses][{i}][status_id]", statusId);
                i++;
            }
        }
        if (ResponsibleUserIds is not null) q.AddMany("filter[responsible_user_id][]", ResponsibleUserIds);
        q.Add("filter[name]", Name).Add("query", Query);
        AddRange(q, "created_at", CreatedAt);
        AddRange(q, "updated_at", UpdatedAt);
        AddRange(q, "closed_at", ClosedAt);
        if (OrderBy is not null) q.Add($"order[{OrderBy}]", OrderDescending ? "desc" : "asc");
        q.Add("with", LeadsApi.WithValue(With));
        q.Add("limit", Limit ?? defaultLimit);
        return q;
    }

    private static void AddRange(AmoQuery q, string field, (long? From, long? To)? range)
    {
        if (range is { } r)
        {
            q.Add($"filter[{field}][from]", r.From).Add($"filter[{field}][to]", r.To);
        }
    }
}

/// <summary>Leads: read many by id, list by filter, create and update in batches, loss reasons.</summary>
public sealed class LeadsApi
{
    private const string Path = "/api/v4/leads";
    private readonly AmoCalls _calls;

    internal LeadsApi(AmoCalls calls) => _calls = calls;

    /// <summary>One lead; null when it does not exist (amoCRM answers 204).</summary>
    public Task<Lead?> GetAsync(long id, LeadWith with = LeadWith.None, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<Lead>($"{Path}/{id}", new AmoQuery().Add("with", WithValue(with)), cancellationToken);

    /// <summary>Many leads by id: 250 per request (<c>filter[id][]</c>); ids that do not exist are simply absent.</summary>
    public Task<List<Lead>> GetByIdsAsync(IEnumerable<long> ids, LeadWith with = LeadWith.None, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<Lead>(Path, "filter[id][]", ids, q => q.Add("with", WithValue(with)), "leads", cancellationToken);

    /// <summary>How many requests <see cref="GetByIdsAsync"/> makes for <paramref name="ids"/> (the gateway budgets with it).</summary>
    public int ChunkCount(IEnumerable<long> ids) => AmoCalls.ChunkForQuery(ids.Distinct(), "filter[id][]", _calls.Options).Count();

    /// <summary>Every lead matching <paramref name="filter"/>, following the pages.</summary>
    public IAsyncEnumerable<Lead> ListAsync(LeadFilter filter, CancellationToken cancellationToken = default) =>
        _calls.GetPagesAsync<Lead>(Path, filter.ToQuery(_calls.Options.MaxReadBatch), "leads", cancellationToken);

    /// <summary>Every lead matching <paramref name="filter"/> in one list.</summary>
    public Task<List<Lead>> ListAllAsync(LeadFilter filter, CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<Lead>(Path, filter.ToQuery(_calls.Options.MaxReadBatch), "leads", cancellationToken);

    /// <summary>
    /// Creates leads in batches; the result lists the new ids in the order of <paramref name="leads"/>, each with its request id.
    /// <paramref name="canReconcile"/>: the caller can tell afterwards whether an uncertain create happened (e.g. by a marker
    /// field), so transient failures may be retried; otherwise they are thrown, never repeated.
    /// </summary>
    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<LeadWrite> leads, bool canReconcile = false, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, Path, leads, "leads", l => l.RequestId, (l, r) => l.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);

    /// <summary>Updates leads (each with <see cref="LeadWrite.Id"/>) in batches.</summary>
    public Task<IReadOnlyList<WrittenEntity>> UpdateAsync(IReadOnlyList<LeadWrite> leads, bool canReconcile = false, CancellationToken cancellationToken = default)
    {
        if (leads.Any(l => l.Id is null))
        {
            throw new ArgumentException("Every lead to update needs an id.", nameof(leads));
        }
        // PATCH answers carry no request_id: results map back by position
        return _calls.WriteBatchAsync(HttpMethod.Patch, Path, leads, "leads", null, null, _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
    }

    /// <summary>The account's loss reasons.</summary>
    public Task<List<LossReason>> GetLossReasonsAsync(CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<LossReason>($"{Path}/loss_reasons", null, "loss_reasons", cancellationToken);

    internal static string? WithValue(LeadWith with)
    {
        if (with == LeadWith.None)
        {
            return null;
        }
        var parts = new List<string>();
        if (with.HasFlag(LeadWith.Contacts)) parts.Add("contacts");
        if (with.HasFlag(LeadWith.CatalogElements)) parts.Add("catalog_elements");
        if (with.HasFlag(LeadWith.LossReason)) parts.Add("loss_reason");
        if (with.HasFlag(LeadWith.SourceId)) parts.Add("source_id");
        if (with.HasFlag(LeadWith.Source)) parts.Add("source");
        if (with.HasFlag(LeadWith.IsPriceModifiedByRobot)) parts.Add("is_price_modified_by_robot");
        if (with.HasFlag(LeadWith.OnlyDeleted)) parts.Add("only_deleted");
        return string.Join(',', parts);
    }
}
