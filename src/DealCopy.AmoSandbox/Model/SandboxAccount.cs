namespace DealCopy.AmoSandbox.Model;

/// <summary>One amoCRM account with everything in it. All access goes through <see cref="Gate"/>.</summary>
public sealed class SandboxAccount
{
    public long Id { get; init; }
    public string Subdomain { get; init; } = "";
    public string Name { get; set; } = "";
    public string Currency { get; set; } = "RUB";
    public string Country { get; set; } = "RU";
    public string Timezone { get; set; } = "Europe/Moscow";
    public long CreatedAt { get; set; }
    public Guid Uuid { get; init; } = Guid.NewGuid();

    /// <summary>One lock per account: the sandbox serialises an account's requests like a single database row would.</summary>
    public object Gate { get; } = new();

    public List<SandboxUser> Users { get; } = [];
    public List<(long Id, string Name)> Groups { get; } = [(0, "Отдел продаж")];
    public List<(long Id, string Name)> TaskTypes { get; } = [(1, "Связаться"), (2, "Встреча")];
    public List<SandboxPipeline> Pipelines { get; } = [];
    public List<SandboxLossReason> LossReasons { get; } = [];
    public Dictionary<string, List<SandboxField>> Fields { get; } = new()
    {
        ["leads"] = [], ["contacts"] = [], ["companies"] = [],
    };
    public SortedDictionary<long, SandboxLead> Leads { get; } = [];
    public SortedDictionary<long, SandboxParty> Contacts { get; } = [];
    public SortedDictionary<long, SandboxParty> Companies { get; } = [];
    public Dictionary<string, List<SandboxTag>> Tags { get; } = new()
    {
        ["leads"] = [], ["contacts"] = [], ["companies"] = [],
    };
    public SortedDictionary<long, SandboxNote> Notes { get; } = [];
    public SortedDictionary<long, SandboxTask> Tasks { get; } = [];
    public List<SandboxCatalog> Catalogs { get; } = [];
    public SortedDictionary<long, SandboxCatalogElement> CatalogElements { get; } = [];
    public List<DpTrigger> DpTriggers { get; } = [];

    public string Referer => $"{Subdomain}.amocrm.ru";

    public SandboxUser? User(long id) => Users.FirstOrDefault(u => u.Id == id);
    public SandboxPipeline? Pipeline(long id) => Pipelines.FirstOrDefault(p => p.Id == id);
    public SandboxPipeline MainPipeline => Pipelines.FirstOrDefault(p => p.IsMain) ?? Pipelines[0];
    public SandboxCatalog? Catalog(long id) => Catalogs.FirstOrDefault(c => c.Id == id);

    public SortedDictionary<long, SandboxParty> Parties(string kind) => kind == "companies" ? Companies : Contacts;

    public SandboxField? Field(string entity, long id) =>
        entity == "catalogs" ? Catalogs.SelectMany(c => c.Fields).FirstOrDefault(f => f.Id == id)
                             : Fields[entity].FirstOrDefault(f => f.Id == id);

    public long GroupOf(long userId) => User(userId)?.GroupId ?? 0;

    /// <summary>Whether <paramref name="user"/> may see <paramref name="lead"/> (API-NOTES §9: the stage's rule, else the entity's letter).</summary>
    public bool CanView(SandboxUser user, SandboxLead lead) =>
        Allows(user, lead, user.Rights.LeadLetter(lead.PipelineId, lead.StatusId, e => e.View, r => r.View));

    private bool Allows(SandboxUser user, SandboxLead lead, string letter) => letter switch
    {
        "A" => true,
        "G" => GroupOf(lead.ResponsibleUserId) == user.GroupId,
        "M" => lead.ResponsibleUserId == user.Id,
        _ => false,
    };
}
