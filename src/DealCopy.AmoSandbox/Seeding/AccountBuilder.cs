using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Seeding;

/// <summary>Builds accounts piece by piece: the demo account and accounts from a control-API description use it.</summary>
public sealed class AccountBuilder(SandboxState state, SandboxAccount account)
{
    public SandboxAccount Account { get; } = account;

    public static AccountBuilder Create(SandboxState state, long? id, string subdomain, string name)
    {
        var accountId = id ?? state.NextId("account");
        if (id is not null) state.Reserve("account", accountId);
        var a = new SandboxAccount
        {
            Id = accountId,
            Subdomain = subdomain,
            Name = name,
            CreatedAt = DemoAccount.Epoch,
            Uuid = new Guid((int)(accountId % int.MaxValue), 0, 0, new byte[8]),
        };
        return new AccountBuilder(state, a);
    }

    public SandboxUser User(string name, bool admin = false, bool active = true, bool free = false, long? id = null, long group = 0)
    {
        var userId = id ?? state.NextId("user");
        if (id is not null) state.Reserve("user", userId);
        var translit = new string(name.Split(' ')[0].ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        var u = new SandboxUser
        {
            Id = userId, Name = name, Email = $"user{userId}@{Account.Subdomain}.example", IsAdmin = admin,
            IsActive = active, IsFree = free, GroupId = group, Lang = translit.Length > 0 ? "ru" : "en",
            Rights = admin ? SandboxRights.Full() : new SandboxRights(),
        };
        Account.Users.Add(u);
        return u;
    }

    /// <summary>A pipeline with Unsorted (type 1), the given regular stages, won 142 and lost 143 (API-NOTES §8).</summary>
    public SandboxPipeline Pipeline(string name, IEnumerable<string> stages, bool main = false, bool archive = false, long? id = null)
    {
        var pipelineId = id ?? state.NextId("pipeline");
        if (id is not null) state.Reserve("pipeline", pipelineId);
        var p = new SandboxPipeline { Id = pipelineId, Name = name, IsMain = main, IsArchive = archive, Sort = (Account.Pipelines.Count + 1) * 10 };
        p.Statuses.Add(new SandboxStatus { Id = state.NextId("status"), PipelineId = p.Id, Name = "Неразобранное", Sort = 10, Type = 1, IsEditable = false, Color = "#c1c1c1" });
        var sort = 20;
        foreach (var stage in stages)
            p.Statuses.Add(new SandboxStatus { Id = state.NextId("status"), PipelineId = p.Id, Name = stage, Sort = sort += 10, Color = "#99ccff" });
        p.Statuses.Add(new SandboxStatus { Id = SandboxPipeline.Won, PipelineId = p.Id, Name = "Успешно реализовано", Sort = 10000, IsEditable = false, Color = "#CCFF66" });
        p.Statuses.Add(new SandboxStatus { Id = SandboxPipeline.Lost, PipelineId = p.Id, Name = "Закрыто и не реализовано", Sort = 11000, IsEditable = false, Color = "#D5D8DB" });
        Account.Pipelines.Add(p);
        return p;
    }

    public SandboxField Field(string entity, string name, string type, string? code = null, IEnumerable<string>? enums = null,
        bool computed = false, bool apiOnly = false, long? id = null, IEnumerable<(string Value, string? Code)>? codedEnums = null)
    {
        var fieldId = id ?? state.NextId("field");
        if (id is not null) state.Reserve("field", fieldId);
        var list = Account.Fields[entity];
        var f = new SandboxField
        {
            Id = fieldId, Name = name, Type = type, Code = code, EntityType = entity, IsComputed = computed,
            IsApiOnly = apiOnly, Sort = (list.Count + 1) * 10, IsPredefined = code is "PHONE" or "EMAIL" or "WEB" or "ADDRESS" or "POSITION",
        };
        f.IsDeletable = !f.IsPredefined;
        var sort = 0;
        foreach (var e in codedEnums ?? (enums ?? []).Select(v => (v, (string?)null)))
            f.Enums.Add(new SandboxEnum { Id = state.NextId("enum"), Value = e.Item1, Code = e.Item2, Sort = sort += 10 });
        list.Add(f);
        return f;
    }

    public SandboxCatalog Catalog(string name, string type)
    {
        var c = new SandboxCatalog { Id = state.NextId("catalog"), Name = name, Type = type, Sort = (Account.Catalogs.Count + 1) * 10 };
        Account.Catalogs.Add(c);
        return c;
    }

    public SandboxField CatalogField(SandboxCatalog c, string name, string type, string? code = null)
    {
        var f = new SandboxField
        {
            Id = state.NextId("field"), Name = name, Type = type, Code = code, EntityType = "catalogs",
            CatalogId = c.Id, Sort = (c.Fields.Count + 1) * 10, IsPredefined = code is not null, IsDeletable = code is null,
        };
        c.Fields.Add(f);
        return f;
    }

    public SandboxCatalogElement Element(SandboxCatalog c, string name, JsonArray? fields, long by)
    {
        var e = new SandboxCatalogElement
        {
            Id = state.NextId("element"), CatalogId = c.Id, Name = name, CustomFields = fields,
            CreatedBy = by, UpdatedBy = by, CreatedAt = DemoAccount.Epoch, UpdatedAt = DemoAccount.Epoch,
        };
        Account.CatalogElements[e.Id] = e;
        return e;
    }

    public SandboxLossReason LossReason(string name)
    {
        var r = new SandboxLossReason
        {
            Id = state.NextId("loss_reason"), Name = name, Sort = (Account.LossReasons.Count + 1) * 10,
            CreatedAt = DemoAccount.Epoch, UpdatedAt = DemoAccount.Epoch,
        };
        Account.LossReasons.Add(r);
        return r;
    }

    public SandboxTag Tag(string entity, string name, string? color = null)
    {
        var t = new SandboxTag { Id = state.NextId("tag"), Name = name, Color = color };
        Account.Tags[entity].Add(t);
        return t;
    }

    public SandboxParty Party(string kind, string name, long responsible, long createdAt, JsonArray? fields, string? first = null, string? last = null)
    {
        var p = new SandboxParty
        {
            Id = state.NextId(kind == "contacts" ? "contact" : "company"), Kind = kind, Name = name, FirstName = first, LastName = last,
            ResponsibleUserId = responsible, GroupId = Account.GroupOf(responsible), CreatedBy = responsible, UpdatedBy = responsible,
            CreatedAt = createdAt, UpdatedAt = createdAt, CustomFields = fields,
        };
        Account.Parties(kind)[p.Id] = p;
        return p;
    }

    public SandboxLead Lead(string name, SandboxPipeline pipeline, SandboxStatus status, long responsible, long createdAt)
    {
        var l = new SandboxLead
        {
            Id = state.NextId("lead"), Name = name, PipelineId = pipeline.Id, StatusId = status.Id, ResponsibleUserId = responsible,
            GroupId = Account.GroupOf(responsible), CreatedBy = responsible, UpdatedBy = responsible, CreatedAt = createdAt, UpdatedAt = createdAt,
            ClosedAt = status.Id is SandboxPipeline.Won or SandboxPipeline.Lost ? createdAt + 86400 * 3 : null,
        };
        Account.Leads[l.Id] = l;
        return l;
    }

    public SandboxNote Note(string entity, long entityId, string type, JsonObject ps, long by, long at)
    {
        var n = new SandboxNote
        {
            Id = state.NextId("note"), EntityType = entity, EntityId = entityId, NoteType = type, Params = ps,
            CreatedBy = by, UpdatedBy = by, CreatedAt = at, UpdatedAt = at, ResponsibleUserId = by, GroupId = Account.GroupOf(by),
        };
        Account.Notes[n.Id] = n;
        return n;
    }

    public SandboxTask Task(long leadId, string text, long responsible, long at, long till, bool done, long type = 1)
    {
        var t = new SandboxTask
        {
            Id = state.NextId("task"), EntityId = leadId, EntityType = "leads", Text = text, ResponsibleUserId = responsible,
            GroupId = Account.GroupOf(responsible), CreatedBy = responsible, UpdatedBy = responsible, CreatedAt = at, UpdatedAt = at,
            CompleteTill = till, IsCompleted = done, TaskTypeId = type, ResultText = done ? "Сделано" : null,
        };
        Account.Tasks[t.Id] = t;
        return t;
    }

    /// <summary>Registers the account and its long-lived admin token.</summary>
    public SandboxAccount Register(string? adminToken = null)
    {
        if (!state.Accounts.TryAdd(Account.Id, Account))
            throw Problems.Error(409, $"Account {Account.Id} already exists");
        var admin = Account.Users.First(u => u.IsAdmin);
        state.IssueLongLived(Account.Id, admin.Id, adminToken);
        return Account;
    }
}
