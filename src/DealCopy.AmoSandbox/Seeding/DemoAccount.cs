using System.Globalization;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox.Model;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Seeding;

/// <summary>
/// The demo account a person trying DealCopy sees (docs/SANDBOX.md): several pipelines, admin and
/// non-admin users, every lead field type, a products catalog, and a few hundred deals with contacts,
/// companies, tags, products, notes and tasks. Generated from a fixed seed: the same on every start.
/// </summary>
public static class DemoAccount
{
    public const long Id = 31_000_001;
    public const string Subdomain = "dealcopy-demo";
    public const long AdminId = 5_000_001;
    /// <summary>Жанна: leads view/edit M (own only).</summary>
    public const long OwnOnlyId = AdminId + 6;
    /// <summary>Зоя: full deal rights, in the trainees' group that the demo's "who may copy" leaves out.</summary>
    public const long TraineeId = AdminId + 7;
    public const long TraineeGroupId = 2;
    /// <summary>2026-01-01T00:00:00Z: demo timestamps do not depend on when the sandbox starts.</summary>
    public const long Epoch = 1_767_225_600;

    private static readonly string[] Companies =
    [
        "ООО «Ромашка»", "АО «Северный ветер»", "ИП Кузнецов", "ООО «Техносфера»", "ООО «Вектор»", "АО «Горизонт»",
        "ООО «Альфа-Строй»", "ООО «Белый кит»", "ЗАО «Меридиан»", "ООО «Палитра»", "ООО «Зелёный сад»", "АО «Полюс»",
    ];
    private static readonly string[] FirstNames = ["Иван", "Мария", "Пётр", "Ольга", "Сергей", "Анна", "Алексей", "Наталья", "Дмитрий", "Елена", "Михаил", "Татьяна"];
    private static readonly string[] LastNames = ["Иванов", "Смирнова", "Петров", "Кузнецова", "Соколов", "Попова", "Лебедев", "Козлова", "Новиков", "Морозова"];
    private static readonly string[] Deals = ["Поставка оборудования", "Годовое обслуживание", "Внедрение CRM", "Партия товара", "Монтаж", "Консультация", "Подписка", "Расширение лицензии"];
    private static readonly string[] Products = ["Ноутбук", "Монитор 27\"", "Клавиатура", "Мышь", "Док-станция", "Кабель HDMI", "Принтер", "Сканер", "Роутер", "ИБП"];

    public static SandboxAccount Create(SandboxState state, SandboxOptions options, long? id = Id, string subdomain = Subdomain, string? adminToken = null, int? leadCount = null, bool fullDeals = false)
    {
        var fixedIds = id == Id;
        var b = AccountBuilder.Create(state, id, subdomain, "DealCopy Demo");
        var a = b.Account;
        a.Groups.Add((1, "Отдел повторных продаж"));
        var admin = b.User("Анна Админова", admin: true, id: fixedIds ? AdminId : null);
        var managers = new[]
        {
            b.User("Борис Продажин", id: fixedIds ? AdminId + 1 : null),
            b.User("Вера Менеджерова", id: fixedIds ? AdminId + 2 : null, group: 1),
            b.User("Глеб Новиков", id: fixedIds ? AdminId + 3 : null, group: 1),
        };
        b.User("Дмитрий Уволенный", active: false, id: fixedIds ? AdminId + 4 : null);
        b.User("Елена Наблюдатель", free: true, id: fixedIds ? AdminId + 5 : null);
        // A manager whose role shows and edits only her own deals (DealCopy refuses her anyone else's deal),
        // and a trainee in a group the demo's "who may copy" leaves out (docs/SANDBOX.md "Users and rights").
        b.User("Жанна Своих", id: fixedIds ? OwnOnlyId : null).Rights = new SandboxRights
        {
            Leads = new SandboxCrud(View: "M", Edit: "M", Add: "A", Delete: "D", Export: "D"),
            Contacts = new SandboxCrud(View: "M", Edit: "M"), Companies = new SandboxCrud(View: "M", Edit: "M"),
        };
        a.Groups.Add((TraineeGroupId, "Стажёры"));
        b.User("Зоя Стажёрова", id: fixedIds ? TraineeId : null, group: TraineeGroupId);
        var staff = managers.Prepend(admin).ToArray();

        var sales = b.Pipeline("Продажи", ["Первичный контакт", "Переговоры", "Принимают решение", "Согласование договора"], main: true);
        var repeat = b.Pipeline("Повторные продажи", ["Перезвонить", "Предложение", "Счёт выставлен"]);
        var delivery = b.Pipeline("Доставка", ["Комплектация", "В пути", "Доставлено"]);
        var archive = b.Pipeline("Архив 2023", ["Старый этап"], archive: true);
        var lossReasons = new[] { b.LossReason("Дорого"), b.LossReason("Выбрали конкурента"), b.LossReason("Нет бюджета") };

        // Catalogs: products (with two price fields) and a regular catalog for the chained list.
        var products = b.Catalog("Товары", "products");
        var sku = b.CatalogField(products, "Артикул", "text", "SKU");
        var description = b.CatalogField(products, "Описание", "textarea", "DESCRIPTION");
        var price = b.CatalogField(products, "Цена", "price", "PRICE");
        var wholesale = b.CatalogField(products, "Оптовая цена", "price");
        var models = b.Catalog("Модели", "regular");
        var modelElements = Enumerable.Range(1, 10).Select(i => b.Element(models, $"Модель M-{i:00}", null, admin.Id)).ToList();

        var rnd = new Random(options.Seed);
        var productElements = new List<SandboxCatalogElement>();
        for (var i = 0; i < 30; i++)
        {
            var basePrice = 1000 + rnd.Next(1, 200) * 100;
            productElements.Add(b.Element(products, $"{Products[i % Products.Length]} {(char)('A' + i / Products.Length)}{i + 1}", new JsonArray(
                Cf(sku, Val($"SKU-{1000 + i}")),
                Cf(description, Val($"Товар для демо-сделок №{i + 1}")),
                Cf(price, Val(basePrice.ToString(CultureInfo.InvariantCulture))),
                Cf(wholesale, Val((basePrice * 9 / 10).ToString(CultureInfo.InvariantCulture)))), admin.Id));
        }

        // Lead fields: one of every type amoCRM allows on leads (API-NOTES §7.2), a formula field, and
        // enough plain fields that the list needs more than one page of 50.
        var f = new Dictionary<string, SandboxField>
        {
            ["text"] = b.Field("leads", "Комментарий менеджера", "text"),
            ["numeric"] = b.Field("leads", "Количество мест", "numeric"),
            ["checkbox"] = b.Field("leads", "Оплачено", "checkbox"),
            ["select"] = b.Field("leads", "Тип клиента", "select", enums: ["Новый", "Постоянный", "Партнёр"]),
            ["multiselect"] = b.Field("leads", "Интересы", "multiselect", enums: ["Оборудование", "Сервис", "Обучение", "Лицензии"]),
            ["date"] = b.Field("leads", "Дата договора", "date"),
            ["url"] = b.Field("leads", "Ссылка на КП", "url"),
            ["date_time"] = b.Field("leads", "Встреча", "date_time"),
            ["textarea"] = b.Field("leads", "Описание задачи", "textarea"),
            ["radiobutton"] = b.Field("leads", "Канал", "radiobutton", enums: ["Звонок", "Почта", "Мессенджер"]),
            ["streetaddress"] = b.Field("leads", "Адрес доставки", "streetaddress"),
            ["smart_address"] = b.Field("leads", "Юридический адрес", "smart_address",
                codedEnums: FieldValuesCodes()),
            ["birthday"] = b.Field("leads", "День рождения ЛПР", "birthday"),
            ["legal_entity"] = b.Field("leads", "Юрлицо", "legal_entity"),
            ["tracking_data"] = b.Field("leads", "utm_source", "tracking_data", code: "UTM_SOURCE"),
            ["chained_list"] = b.Field("leads", "Модель", "chained_list"),
            ["monetary"] = b.Field("leads", "Бюджет в валюте", "monetary"),
            ["file"] = b.Field("leads", "Договор", "file"),
        };
        f["chained_list"].ChainedCatalogIds.Add(models.Id);
        f["monetary"].Currency = "RUB";
        var formula = b.Field("leads", "Маржа (формула)", "numeric", computed: true);
        for (var i = 1; i <= 35; i++) b.Field("leads", $"Доп. поле {i}", "text");

        var phone = b.Field("contacts", "Телефон", "multitext", "PHONE",
            codedEnums: [("WORK", "WORK"), ("WORKDD", "WORKDD"), ("MOB", "MOB"), ("FAX", "FAX"), ("HOME", "HOME"), ("OTHER", "OTHER")]);
        var email = b.Field("contacts", "Email", "multitext", "EMAIL", codedEnums: [("WORK", "WORK"), ("PRIV", "PRIV"), ("OTHER", "OTHER")]);
        var position = b.Field("contacts", "Должность", "text", "POSITION");
        var companyPhone = b.Field("companies", "Телефон", "multitext", "PHONE",
            codedEnums: [("WORK", "WORK"), ("WORKDD", "WORKDD"), ("MOB", "MOB"), ("FAX", "FAX"), ("HOME", "HOME"), ("OTHER", "OTHER")]);
        var web = b.Field("companies", "Web", "url", "WEB");
        var address = b.Field("companies", "Адрес", "textarea", "ADDRESS");

        var tags = new[]
        {
            b.Tag("leads", "VIP", "#ffdc7f"), b.Tag("leads", "Повторный", "#99ccff"), b.Tag("leads", "Опт", null),
            b.Tag("leads", "Сайт", "#ccff66"), b.Tag("leads", "Выставка", null), b.Tag("leads", "Рекомендация", "#ff8f92"),
        };
        b.Tag("contacts", "Ключевой клиент");

        var companies = new List<SandboxParty>();
        for (var i = 0; i < 40; i++)
        {
            var name = Companies[i % Companies.Length] + (i >= Companies.Length ? $" {i / Companies.Length + 1}" : "");
            companies.Add(b.Party("companies", name, Pick(rnd, staff).Id, Epoch + i * 3600, new JsonArray(
                Cf(companyPhone, Multi(companyPhone, $"+7495{1000000 + i}", "WORK")),
                Cf(web, Val($"https://company{i + 1}.example")),
                Cf(address, Val($"Москва, ул. Примерная, д. {i + 1}")))));
        }
        var contacts = new List<SandboxParty>();
        for (var i = 0; i < 120; i++)
        {
            var first = FirstNames[i % FirstNames.Length];
            var last = LastNames[(i * 7) % LastNames.Length];
            var c = b.Party("contacts", $"{first} {last}", Pick(rnd, staff).Id, Epoch + i * 1800, new JsonArray(
                Cf(phone, Multi(phone, $"+7916{2000000 + i}", "MOB"), Multi(phone, $"+7495{3000000 + i}", "WORK")),
                Cf(email, Multi(email, $"client{i + 1}@mail.example", "WORK")),
                Cf(position, Val(i % 3 == 0 ? "Директор" : i % 3 == 1 ? "Закупщик" : "Бухгалтер"))), first, last);
            c.CompanyId = i % 3 == 2 ? null : companies[i % companies.Count].Id;
            contacts.Add(c);
        }

        var valueMakers = new Dictionary<string, Func<int, JsonArray>>
        {
            ["text"] = i => new JsonArray(Val($"Клиент просил перезвонить после {10 + i % 8}:00")),
            ["numeric"] = i => new JsonArray(Val((i % 40 + 1).ToString(CultureInfo.InvariantCulture))),
            ["checkbox"] = i => new JsonArray(new JsonObject { ["value"] = i % 2 == 0 }),
            ["select"] = i => new JsonArray(Enum(f["select"], i)),
            ["multiselect"] = i => new JsonArray(Enum(f["multiselect"], i), Enum(f["multiselect"], i + 1)),
            ["date"] = i => new JsonArray(new JsonObject { ["value"] = Epoch + i * 86400L }),
            ["url"] = i => new JsonArray(Val($"https://docs.example/offer/{i + 1}")),
            ["date_time"] = i => new JsonArray(new JsonObject { ["value"] = Epoch + i * 86400L + 13 * 3600 }),
            ["textarea"] = i => new JsonArray(Val($"Задача клиента №{i + 1}.\nНужна поставка и монтаж.\nСрок — две недели.")),
            ["radiobutton"] = i => new JsonArray(Enum(f["radiobutton"], i)),
            ["streetaddress"] = i => new JsonArray(Val($"Москва, Тверская ул., д. {i % 30 + 1}")),
            ["smart_address"] = i => new JsonArray(Smart(f["smart_address"], 0, $"Тверская ул., д. {i % 30 + 1}"), Smart(f["smart_address"], 2, "Москва"),
                                                   Smart(f["smart_address"], 4, $"1250{i % 90 + 10}"), Smart(f["smart_address"], 5, "Россия")),
            ["birthday"] = i => new JsonArray(new JsonObject { ["value"] = 315532800L + i * 86400L * 37 }),
            ["legal_entity"] = i => new JsonArray(new JsonObject
            {
                ["value"] = new JsonObject
                {
                    ["name"] = Companies[i % Companies.Length], ["entity_type"] = 1, ["vat_id"] = $"77{10000000 + i}",
                    ["kpp"] = "770101001", ["address"] = "Москва",
                },
            }),
            ["tracking_data"] = i => new JsonArray(Val(i % 2 == 0 ? "yandex" : "google")),
            ["chained_list"] = i => new JsonArray(new JsonObject { ["catalog_id"] = models.Id, ["catalog_element_id"] = modelElements[i % modelElements.Count].Id }),
            ["monetary"] = i => new JsonArray(Val((1000 + i * 12.5m).ToString(CultureInfo.InvariantCulture))),
            ["file"] = i => new JsonArray(new JsonObject
            {
                ["value"] = new JsonObject
                {
                    ["file_uuid"] = Guid(rnd).ToString(), ["version_uuid"] = Guid(rnd).ToString(),
                    ["file_name"] = $"dogovor-{i + 1}.pdf", ["file_size"] = 20000 + i,
                },
            }),
        };

        var count = leadCount ?? options.DemoLeadCount;
        if (fullDeals)
        {
            // Every deal alike and full (the benchmark's deal): 2 contacts (one main), a company, 10 fields of
            // mixed types, 3 products, 3 notes, 2 tasks (one open, one done), in an open stage of «Продажи».
            var open = sales.Statuses.Where(s => s.Type == 0 && s.Id is not (SandboxPipeline.Won or SandboxPipeline.Lost)).ToList();
            var tenTypes = f.Keys.Take(10).ToList();
            for (var i = 0; i < count; i++)
            {
                var responsible = managers[i % managers.Length];
                var lead = b.Lead($"{Deals[i % Deals.Length]} #{i + 1}", sales, open[i % open.Count], responsible.Id, Epoch + 86400L * 30 + i * 60L);
                lead.Price = (i % 100 + 1) * 1000;
                lead.CustomFields = new JsonArray(tenTypes.Select(JsonNode (type) => Cf(f[type], valueMakers[type](i))).ToArray());
                lead.TagIds.Add(tags[i % tags.Length].Id);
                lead.Contacts.Add(new ContactLink { ContactId = contacts[(2 * i) % contacts.Count].Id, IsMain = true });
                lead.Contacts.Add(new ContactLink { ContactId = contacts[(2 * i + 1) % contacts.Count].Id, IsMain = false });
                lead.CompanyId = companies[i % companies.Count].Id;
                for (var p = 0; p < 3; p++)
                    lead.Products.Add(new ProductLink { ElementId = productElements[(3 * i + p) % productElements.Count].Id, CatalogId = products.Id, Quantity = p + 1, PriceId = p == 0 ? price.Id : null });
                for (var n = 0; n < 3; n++)
                    b.Note("leads", lead.Id, "common", new JsonObject { ["text"] = $"Заметка {n + 1} по сделке #{i + 1}" }, responsible.Id, lead.CreatedAt + (n + 1) * 600);
                b.Task(lead.Id, "Перезвонить клиенту", responsible.Id, lead.CreatedAt + 3600, Epoch + 86400L * 400, false, 1);
                b.Task(lead.Id, "Отправить КП", responsible.Id, lead.CreatedAt + 3600, lead.CreatedAt + 86400L * 2, true, 2);
            }
            return b.Register(adminToken ?? (fixedIds ? options.DemoToken : null));
        }
        var openPipelines = new[] { sales, sales, sales, repeat, delivery };
        for (var i = 0; i < count; i++)
        {
            // The first deal is the reference deal: every field type, several contacts, products, notes, tasks.
            var reference = i == 0;
            var pipeline = reference ? sales : i % 50 == 49 ? archive : Pick(rnd, openPipelines);
            var stages = pipeline.Statuses.Where(s => s.Type == 0 && s.Id is not (SandboxPipeline.Won or SandboxPipeline.Lost)).ToList();
            var roll = rnd.Next(100);
            var status = reference ? stages[1]
                : roll < 8 ? pipeline.Statuses.First(s => s.Type == 1)
                : roll < 20 ? pipeline.Status(SandboxPipeline.Won)!
                : roll < 30 ? pipeline.Status(SandboxPipeline.Lost)!
                : Pick(rnd, stages);
            var responsible = reference ? managers[0] : Pick(rnd, staff);
            var lead = b.Lead(reference ? "Эталонная сделка: все типы полей" : $"{Pick(rnd, Deals)} #{i + 1}",
                pipeline, status, responsible.Id, Epoch + 86400L * 30 + i * 7200L);
            lead.Price = reference ? 150000 : rnd.Next(0, 100) * 1000;
            if (status.Id == SandboxPipeline.Lost) lead.LossReasonId = Pick(rnd, lossReasons).Id;

            var fieldValues = new JsonArray();
            foreach (var (type, field) in f)
                if (reference || rnd.Next(100) < 45)
                    fieldValues.Add(Cf(field, valueMakers[type](i)));
            if (reference || rnd.Next(100) < 30)
            {
                var computed = Cf(formula, Val((lead.Price / 10).ToString(CultureInfo.InvariantCulture)));
                computed["is_computed"] = true;
                fieldValues.Add(computed);
            }
            lead.CustomFields = fieldValues.Count == 0 ? null : fieldValues;

            foreach (var tag in reference ? tags.Take(3) : tags.OrderBy(_ => rnd.Next()).Take(rnd.Next(0, 3)))
                lead.TagIds.Add(tag.Id);
            var contactCount = reference ? 3 : rnd.Next(0, 4);
            foreach (var (c, idx) in contacts.OrderBy(_ => rnd.Next()).Take(contactCount).Select((c, idx) => (c, idx)))
                lead.Contacts.Add(new ContactLink { ContactId = c.Id, IsMain = idx == 0 });
            if (reference || rnd.Next(100) < 60) lead.CompanyId = Pick(rnd, companies).Id;
            var productCount = reference ? 3 : rnd.Next(100) < 50 ? rnd.Next(1, 4) : 0;
            foreach (var p in productElements.OrderBy(_ => rnd.Next()).Take(productCount))
                lead.Products.Add(new ProductLink
                {
                    ElementId = p.Id, CatalogId = products.Id, Quantity = rnd.Next(1, 6),
                    PriceId = rnd.Next(3) switch { 0 => price.Id, 1 => wholesale.Id, _ => null },
                });

            var at = lead.CreatedAt;
            var noteCount = reference ? 3 : rnd.Next(0, 4);
            for (var n = 0; n < noteCount; n++)
                b.Note("leads", lead.Id, "common", new JsonObject { ["text"] = $"Заметка {n + 1} по сделке: клиент ждёт предложение." }, responsible.Id, at + (n + 1) * 600);
            if (reference || rnd.Next(100) < 30)
                b.Note("leads", lead.Id, "call_in", new JsonObject
                {
                    ["uniq"] = Guid(rnd).ToString(), ["duration"] = 95, ["source"] = "sandbox-telephony",
                    ["link"] = "https://calls.example/rec.mp3", ["phone"] = "+79161234567",
                }, responsible.Id, at + 5000);
            // System notes exist in every real account and cannot be created through the API.
            if (reference || rnd.Next(100) < 25)
                b.Note("leads", lead.Id, "amomail_message", new JsonObject { ["income"] = true, ["from"] = new JsonObject { ["email"] = "client@mail.example" }, ["subject"] = "Re: предложение" }, responsible.Id, at + 7000);
            if (reference)
                b.Note("leads", lead.Id, "service_message", new JsonObject { ["service"] = "Телефония", ["text"] = "Звонок записан" }, responsible.Id, at + 8000);
            var taskCount = reference ? 2 : rnd.Next(0, 3);
            for (var t = 0; t < taskCount; t++)
            {
                var done = reference ? t == 1 : rnd.Next(2) == 0;
                b.Task(lead.Id, done ? "Отправить КП" : "Перезвонить клиенту", responsible.Id, at + 3600, at + 86400L * (t + 2), done, t % 2 + 1);
            }
        }

        // A deal whose text field is longer than the API accepts: the UI lets users type that (API-NOTES §7.4).
        if (count > 1)
        {
            var longText = b.Lead("Сделка с длинным текстом", sales, sales.Statuses[1], managers[1].Id, Epoch + 86400L * 29);
            longText.CustomFields = new JsonArray(Cf(f["text"], Val(string.Concat(Enumerable.Repeat("Очень длинный комментарий из интерфейса. ", 10)))));
        }
        return b.Register(adminToken ?? (fixedIds ? options.DemoToken : null));
    }

    private static IEnumerable<(string, string?)> FieldValuesCodes() =>
        Api.FieldValues.SmartAddressCodes.Select(c => (c, (string?)c));

    private static T Pick<T>(Random rnd, IReadOnlyList<T> list) => list[rnd.Next(list.Count)];

    private static Guid Guid(Random rnd)
    {
        var bytes = new byte[16];
        rnd.NextBytes(bytes);
        return new Guid(bytes);
    }

    internal static JsonObject Cf(SandboxField field, params JsonObject[] values) => new()
    {
        ["field_id"] = field.Id,
        ["field_name"] = field.Name,
        ["field_code"] = field.Code,
        ["field_type"] = field.Type,
        ["values"] = new JsonArray(values.Select(JsonNode (v) => v).ToArray()),
    };

    private static JsonObject Cf(SandboxField field, JsonArray values) => Cf(field, values.Select(v => (JsonObject)v!.DeepClone()).ToArray());

    private static JsonObject Val(string value) => new() { ["value"] = value };

    private static JsonObject Multi(SandboxField field, string value, string code)
    {
        var e = field.Enums.First(x => x.Code == code);
        return new JsonObject { ["value"] = value, ["enum_id"] = e.Id, ["enum_code"] = e.Code };
    }

    private static JsonObject Enum(SandboxField field, int i)
    {
        var e = field.Enums[i % field.Enums.Count];
        return new JsonObject { ["value"] = e.Value, ["enum_id"] = e.Id, ["enum_code"] = e.Code };
    }

    private static JsonObject Smart(SandboxField field, int index, string value)
    {
        var e = field.Enums[index];
        return new JsonObject { ["value"] = value, ["enum_id"] = e.Id, ["enum_code"] = e.Code };
    }
}
