using DealCopy.AmoClient.Model;

namespace DealCopy.AmoClient.Endpoints;

/// <summary>Lead links: contacts (main one), companies, products (API-NOTES §5).</summary>
public sealed class LinksApi
{
    private readonly AmoCalls _calls;

    internal LinksApi(AmoCalls calls) => _calls = calls;

    /// <summary>The links of one lead.</summary>
    public Task<List<EntityLink>> GetForLeadAsync(long leadId, CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<EntityLink>($"/api/v4/leads/{leadId}/links", null, "links", cancellationToken);

    /// <summary>The links of many leads (<c>GET /api/v4/leads/links?filter[entity_id][]=</c>), each with its <see cref="EntityLink.EntityId"/>.</summary>
    public Task<List<EntityLink>> GetForLeadsAsync(IEnumerable<long> leadIds, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<EntityLink>("/api/v4/leads/links", "filter[entity_id][]", leadIds, null, "links", cancellationToken);

    /// <summary>
    /// Links many leads at once (every element names its lead in <see cref="LinkWrite.EntityId"/>).
    /// <paramref name="canReconcile"/>: the caller re-reads the links after an uncertain failure, so transient failures may be retried.
    /// </summary>
    public async Task LinkAsync(IReadOnlyList<LinkWrite> links, bool canReconcile = false, CancellationToken cancellationToken = default)
    {
        EnsureEntityIds(links);
        await _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/leads/link", links, "links", null, null, _calls.Options.MaxReadBatch, canReconcile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Links many leads at once; transient failures are not repeated (see the overload with <c>canReconcile</c>).</summary>
    public Task LinkAsync(IReadOnlyList<LinkWrite> links, CancellationToken cancellationToken) =>
        LinkAsync(links, canReconcile: false, cancellationToken);

    /// <summary>Unlinks many leads at once; transient failures are not repeated (see the overload with <c>canReconcile</c>).</summary>
    public Task UnlinkAsync(IReadOnlyList<LinkWrite> links, CancellationToken cancellationToken) =>
        UnlinkAsync(links, canReconcile: false, cancellationToken);

    /// <summary>Unlinks many leads at once; <paramref name="canReconcile"/> as in <see cref="LinkAsync(IReadOnlyList{LinkWrite}, bool, CancellationToken)"/>.</summary>
    public async Task UnlinkAsync(IReadOnlyList<LinkWrite> links, bool canReconcile = false, CancellationToken cancellationToken = default)
    {
        EnsureEntityIds(links);
        await _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/leads/unlink", links, "links", null, null, _calls.Options.MaxReadBatch, canReconcile, cancellationToken).ConfigureAwait(false);
    }

    private static void EnsureEntityIds(IReadOnlyList<LinkWrite> links)
    {
        if (links.Any(l => l.EntityId is null))
        {
            throw new ArgumentException("Bulk link/unlink needs the lead id (EntityId) on every element.", nameof(links));
        }
    }
}

/// <summary>Notes of leads (API-NOTES §11).</summary>
public sealed class NotesApi
{
    private readonly AmoCalls _calls;

    internal NotesApi(AmoCalls calls) => _calls = calls;

    /// <summary>The notes of many leads, optionally only some types.</summary>
    public Task<List<Note>> GetForLeadsAsync(IEnumerable<long> leadIds, IEnumerable<string>? noteTypes = null, CancellationToken cancellationToken = default)
    {
        var types = noteTypes?.ToList();
        return _calls.GetByIdsAsync<Note>("/api/v4/leads/notes", "filter[entity_id][]", leadIds,
            q => { if (types is not null) q.AddMany("filter[note_type][]", types); }, "notes", cancellationToken);
    }

    /// <summary>
    /// Creates notes (each names its lead) in batches; results in input order. Only creatable types are accepted by amoCRM.
    /// <paramref name="canReconcile"/> as in <see cref="LeadsApi.CreateAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<NoteWrite> notes, bool canReconcile = false, CancellationToken cancellationToken = default)
    {
        var notCreatable = notes.FirstOrDefault(n => !NoteTypes.IsCreatable(n.NoteType));
        if (notCreatable is not null)
        {
            throw new ArgumentException($"Note type '{notCreatable.NoteType}' cannot be created through the API.", nameof(notes));
        }
        return _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/leads/notes", notes, "notes", n => n.RequestId, (n, r) => n.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
    }
}

/// <summary>Tasks (API-NOTES §12).</summary>
public sealed class TasksApi
{
    private readonly AmoCalls _calls;

    internal TasksApi(AmoCalls calls) => _calls = calls;

    /// <summary>The tasks of many leads; <paramref name="isCompleted"/> null = open and done.</summary>
    public Task<List<AmoTask>> GetForLeadsAsync(IEnumerable<long> leadIds, bool? isCompleted = null, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<AmoTask>("/api/v4/tasks", "filter[entity_id][]", leadIds,
            q => q.Add("filter[entity_type]", "leads").Add("filter[is_completed]", isCompleted is null ? null : isCompleted.Value ? "1" : "0"),
            "tasks", cancellationToken);

    /// <summary>Creates tasks in batches; results in input order. <paramref name="canReconcile"/> as in <see cref="LeadsApi.CreateAsync"/>.</summary>
    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<TaskWrite> tasks, bool canReconcile = false, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/tasks", tasks, "tasks", t => t.RequestId, (t, r) => t.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
}
