using DealCopy.AmoClient.Model;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Endpoints;

/// <summary>What to add to the account (<c>with=</c>).</summary>
[Flags]
public enum AccountWith
{
    None = 0,
    UsersGroups = 1,
    TaskTypes = 2,
    DatetimeSettings = 4,
    AmojoId = 8,
    Uuid = 16,
    Version = 32,
    DriveUrl = 64,
}

/// <summary>The account, its users and pipelines (API-NOTES §8, §9, §14).</summary>
public sealed class AccountApi
{
    private readonly AmoCalls _calls;

    internal AccountApi(AmoCalls calls) => _calls = calls;

    /// <summary>The account (works for any user's token).</summary>
    public async Task<Account> GetAsync(AccountWith with = AccountWith.None, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        if (with.HasFlag(AccountWith.UsersGroups)) parts.Add("users_groups");
        if (with.HasFlag(AccountWith.TaskTypes)) parts.Add("task_types");
        if (with.HasFlag(AccountWith.DatetimeSettings)) parts.Add("datetime_settings");
        if (with.HasFlag(AccountWith.AmojoId)) parts.Add("amojo_id");
        if (with.HasFlag(AccountWith.Uuid)) parts.Add("uuid");
        if (with.HasFlag(AccountWith.Version)) parts.Add("version");
        if (with.HasFlag(AccountWith.DriveUrl)) parts.Add("drive_url");
        var query = new AmoQuery().Add("with", parts.Count == 0 ? null : string.Join(',', parts));
        return await _calls.GetOneAsync<Account>("/api/v4/account", query, cancellationToken).ConfigureAwait(false)
            ?? throw new Errors.AmoUnexpectedResponseException("GET /api/v4/account answered without an account.",
                new Errors.AmoResponseInfo("GET", "/api/v4/account", System.Net.HttpStatusCode.NoContent, null, null, null, null));
    }

    /// <summary>Every user (admin tokens only: others get <see cref="Errors.AmoForbiddenException"/>).</summary>
    public Task<List<User>> GetUsersAsync(CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<User>("/api/v4/users", new AmoQuery().Add("limit", _calls.Options.MaxReadBatch), "users", cancellationToken);

    /// <summary>One user; null when amoCRM answers 204.</summary>
    public Task<User?> GetUserAsync(long id, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<User>($"/api/v4/users/{id}", null, cancellationToken);

    /// <summary>Every lead pipeline with its stages.</summary>
    public Task<List<Pipeline>> GetPipelinesAsync(CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<Pipeline>("/api/v4/leads/pipelines", null, "pipelines", cancellationToken);

    /// <summary>One pipeline; an unknown id is <see cref="Errors.AmoNotFoundException"/> (amoCRM: 404 "Pipeline not found").</summary>
    public Task<Pipeline?> GetPipelineAsync(long id, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<Pipeline>($"/api/v4/leads/pipelines/{id}", null, cancellationToken);
}

/// <summary>Custom field definitions of leads, contacts, companies (API-NOTES §7.1).</summary>
public sealed class CustomFieldsApi
{
    private readonly AmoCalls _calls;

    internal CustomFieldsApi(AmoCalls calls) => _calls = calls;

    /// <summary>Every field of <paramref name="entityType"/> (<c>leads</c>, <c>contacts</c>, <c>companies</c>), following the pages (amoCRM gives ≤ 50 per page).</summary>
    public Task<List<CustomField>> GetAsync(string entityType = "leads", CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<CustomField>($"/api/v4/{entityType}/custom_fields", null, "custom_fields", cancellationToken);

    /// <summary>Every field of a catalog.</summary>
    public Task<List<CustomField>> GetForCatalogAsync(long catalogId, CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<CustomField>($"/api/v4/catalogs/{catalogId}/custom_fields", null, "custom_fields", cancellationToken);

    /// <summary>Creates fields (e.g. an API-only marker field) and returns them with their ids.</summary>
    public async Task<List<CustomField>> CreateAsync(IReadOnlyList<CustomFieldWrite> fields, string entityType = "leads", CancellationToken cancellationToken = default)
    {
        var json = await _calls.SendAsync(HttpMethod.Post, $"/api/v4/{entityType}/custom_fields", fields, repeatable: false, cancellationToken).ConfigureAwait(false);
        return json is JObject page
            ? AmoCalls.Embedded(page, "custom_fields").Select(t => Json.AmoJson.ToObject<CustomField>(t)!).ToList()
            : [];
    }
}

/// <summary>Catalogs and their elements (products), API-NOTES §13.</summary>
public sealed class CatalogsApi
{
    private readonly AmoCalls _calls;

    internal CatalogsApi(AmoCalls calls) => _calls = calls;

    public Task<List<Catalog>> GetAsync(CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<Catalog>("/api/v4/catalogs", null, "catalogs", cancellationToken);

    /// <summary>Every element of a catalog, following the pages.</summary>
    public Task<List<CatalogElement>> GetElementsAsync(long catalogId, CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<CatalogElement>($"/api/v4/catalogs/{catalogId}/elements", new AmoQuery().Add("limit", _calls.Options.MaxReadBatch), "elements", cancellationToken);

    /// <summary>Elements by id, 250 per request.</summary>
    public Task<List<CatalogElement>> GetElementsByIdsAsync(long catalogId, IEnumerable<long> ids, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<CatalogElement>($"/api/v4/catalogs/{catalogId}/elements", "filter[id][]", ids, null, "elements", cancellationToken);

    /// <summary>One element; null when amoCRM answers 204.</summary>
    public Task<CatalogElement?> GetElementAsync(long catalogId, long id, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<CatalogElement>($"/api/v4/catalogs/{catalogId}/elements/{id}", null, cancellationToken);

    public Task<IReadOnlyList<WrittenEntity>> CreateElementsAsync(long catalogId, IReadOnlyList<CatalogElementWrite> elements, bool canReconcile = false, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, $"/api/v4/catalogs/{catalogId}/elements", elements, "elements", e => e.RequestId, (e, r) => e.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
}

/// <summary>Contacts (API-NOTES §6).</summary>
public sealed class ContactsApi
{
    private readonly AmoCalls _calls;

    internal ContactsApi(AmoCalls calls) => _calls = calls;

    /// <summary>One contact (<paramref name="withLeads"/>: embed its leads); null when it does not exist.</summary>
    public Task<Contact?> GetAsync(long id, bool withLeads = false, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<Contact>($"/api/v4/contacts/{id}", new AmoQuery().Add("with", withLeads ? "leads" : null), cancellationToken);

    public Task<List<Contact>> GetByIdsAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<Contact>("/api/v4/contacts", "filter[id][]", ids, null, "contacts", cancellationToken);

    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<ContactWrite> contacts, bool canReconcile = false, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/contacts", contacts, "contacts", c => c.RequestId, (c, r) => c.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
}

/// <summary>Companies (API-NOTES §6).</summary>
public sealed class CompaniesApi
{
    private readonly AmoCalls _calls;

    internal CompaniesApi(AmoCalls calls) => _calls = calls;

    /// <summary>One company; null when it does not exist.</summary>
    public Task<Company?> GetAsync(long id, bool withContactsAndLeads = false, CancellationToken cancellationToken = default) =>
        _calls.GetOneAsync<Company>($"/api/v4/companies/{id}", new AmoQuery().Add("with", withContactsAndLeads ? "leads,contacts" : null), cancellationToken);

    public Task<List<Company>> GetByIdsAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default) =>
        _calls.GetByIdsAsync<Company>("/api/v4/companies", "filter[id][]", ids, null, "companies", cancellationToken);

    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<CompanyWrite> companies, bool canReconcile = false, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/companies", companies, "companies", c => c.RequestId, (c, r) => c.RequestId = r,
            _calls.Options.MaxWriteBatch, canReconcile, cancellationToken);
}

/// <summary>The lead tag dictionary (API-NOTES §10).</summary>
public sealed class TagsApi
{
    private readonly AmoCalls _calls;

    internal TagsApi(AmoCalls calls) => _calls = calls;

    public Task<List<Tag>> GetAsync(CancellationToken cancellationToken = default) =>
        _calls.GetAllAsync<Tag>("/api/v4/leads/tags", new AmoQuery().Add("limit", _calls.Options.MaxReadBatch), "tags", cancellationToken);

    public Task<IReadOnlyList<WrittenEntity>> CreateAsync(IReadOnlyList<TagWrite> tags, CancellationToken cancellationToken = default) =>
        _calls.WriteBatchAsync(HttpMethod.Post, "/api/v4/leads/tags", tags, "tags", t => t.RequestId, (t, r) => t.RequestId = r,
            _calls.Options.MaxWriteBatch, repeatable: false, cancellationToken);
}
