using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient.Json;
using DealCopy.AmoClient.Model;

namespace DealCopy.Actors.Tests.Accounts;

/// <summary>Every admission rule (docs/API.md "Rights" and "Refusals") as a table: who asks, what, on which deals → the answer.</summary>
public sealed class AdmissionTests
{
    // pipelines: P1 (main) and P2, each Unsorted + two stages + won/lost; P3 archived
    private const long P1 = 1000, P1Unsorted = 1001, P1A = 1002, P1B = 1003, P2 = 2000, P2Unsorted = 2001, P2A = 2002, P2B = 2003, P3 = 3000, P3A = 3002;
    private const long Won = 142, Lost = 143;
    // users
    private const long Admin = 1, AllA = 2, Group = 3, Own = 4, NoView = 5, NoAdd = 6, Inactive = 7, Free = 8, Staged = 9, Mate = 10, ViewOnly = 11, StageWidened = 12, RetiredAdmin = 13, EditGroup = 14, EditOwn = 15;
    // deals: D1 by AllA (group 0), D2 by Mate (group 10), D3 by Own, D4 by AllA in the stage Staged may not see
    private const long D1 = 501, D2 = 502, D3 = 503, D4 = 504, Gone = 599;

    private static string Crud(string view, string edit, string add) => $$$"""{"view":"{{{view}}}","edit":"{{{edit}}}","add":"{{{add}}}","delete":"D","export":"D"}""";

    private static string UserJson(long id, string view = "A", string edit = "A", string add = "A", bool admin = false, bool active = true, bool free = false, long? group = null, string stages = "null") =>
        $$$"""{"id":{{{id}}},"name":"user {{{id}}}","rights":{"leads":{{{Crud(view, edit, add)}}},"contacts":{{{Crud("A", "A", "A")}}},"companies":{{{Crud("A", "A", "A")}}},"status_rights":{{{stages}}},"is_admin":{{{(admin ? "true" : "false")}}},"is_free":{{{(free ? "true" : "false")}}},"is_active":{{{(active ? "true" : "false")}}},"group_id":{{{(group is null ? "null" : group.ToString())}}},"role_id":null}}""";

    private static string Stage(long pipeline, long status, string view, string edit) =>
        $$$"""{"entity_type":"leads","pipeline_id":{{{pipeline}}},"status_id":{{{status}}},"rights":{"view":"{{{view}}}","edit":"{{{edit}}}","delete":"D"}}""";

    private static readonly string UsersJson = "[" + string.Join(",",
        UserJson(Admin, admin: true),
        UserJson(AllA),
        UserJson(Group, view: "G", edit: "G", group: 10),
        UserJson(Own, view: "M", edit: "M"),
        UserJson(NoView, view: "D", edit: "D"),
        UserJson(NoAdd, add: "D"),
        UserJson(Inactive, active: false),
        UserJson(Free, free: true),
        UserJson(Staged, stages: "[" + Stage(P2, P2A, "A", "D") + "," + Stage(P1, P1B, "D", "D") + "]"),
        UserJson(Mate, group: 10),
        UserJson(ViewOnly, edit: "D"),
        UserJson(StageWidened, view: "M", edit: "M", stages: "[" + Stage(P1, P1A, "A", "A") + "]"),
        UserJson(RetiredAdmin, admin: true, active: false),
        UserJson(EditGroup, edit: "G", group: 10),
        UserJson(EditOwn, edit: "M")) + "]";

    private static Pipeline PipelineOf(long id, bool archive = false) => AmoJson.Deserialize<Pipeline>($$$"""
        {"id":{{{id}}},"name":"P{{{id}}}","sort":{{{id}}},"is_main":{{{(id == P1 ? "true" : "false")}}},"is_archive":{{{(archive ? "true" : "false")}}},"_embedded":{"statuses":[
          {"id":{{{id + 1}}},"name":"Неразобранное","sort":10,"type":1},{"id":{{{id + 2}}},"name":"A","sort":20,"type":0},{"id":{{{id + 3}}},"name":"B","sort":30,"type":0},
          {"id":142,"name":"won","sort":10000,"type":0},{"id":143,"name":"lost","sort":11000,"type":0}]}}
        """);

    private static AccountMetadata Meta(string? users = null) =>
        new(1, "t.amocrm.ru", [PipelineOf(P1), PipelineOf(P2), PipelineOf(P3, archive: true)],
            AmoJson.Deserialize<List<CustomField>>("""[{"id":77,"name":"Комментарий","type":"text"},{"id":900,"name":"marker","type":"url","code":"DEALCOPY_SOURCE"}]"""),
            AmoJson.Deserialize<List<User>>(users ?? UsersJson), [new LossReason { Id = 4203748, Name = "Дорого" }], 900, DateTimeOffset.UnixEpoch)
        {
            Groups = [new UsersGroup { Id = 10, Name = "Группа 10" }],
        };

    private static Lead Deal(long id, long responsible, long pipeline = P1, long status = P1A) =>
        new() { Id = id, Name = "deal " + id, ResponsibleUserId = responsible, PipelineId = pipeline, StatusId = status };

    private static readonly Lead[] Deals = [Deal(D1, AllA), Deal(D2, Mate), Deal(D3, Own), Deal(D4, AllA, status: P1B)];

    private static CopyJobSpec Spec(long by, long[] leads, long pipeline = P2, long? status = P2B, OriginalAction? original = null,
        ResponsibleRule? responsible = null, string template = "{name}", CopyContent? content = null) =>
        new(leads, new CopyOptions(pipeline, status, responsible ?? ResponsibleRule.Keep, template, content ?? CopyContent.Everything, original ?? OriginalAction.Leave, 1), by, null);

    private static CopyRejected? Copy(CopyJobSpec spec, CopyAccess? access = null, IReadOnlyList<Lead>? sources = null) =>
        Admission.Copy(spec, Meta(), access ?? CopyAccess.Everyone, sources ?? Deals);

    private static void Refused(CopyRejected? r, int status, string code, string field, string refusal)
    {
        Assert.NotNull(r);
        Assert.Equal((status, code), (r.Status, r.Code));
        Assert.Contains(r.Refusals, x => x.Field == field && x.Code == refusal);
    }

    // ---- the caller ------------------------------------------------------------------------

    [Theory]
    [InlineData(Inactive, "rights.user_inactive")]
    [InlineData(Free, "rights.user_free")]
    [InlineData(424242, "rights.user_unknown")]
    public void A_caller_who_is_not_an_active_paid_user_is_refused_everything(long user, string code)
    {
        var (_, refusal) = Admission.Caller(user, Meta());
        Assert.Equal((403, code), (refusal!.Status, refusal.Code));
        Assert.Equal(user.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Refusals.Single().Params["user_id"]);
        Refused(Copy(Spec(user, [D1])), 403, code, "", code);
    }

    [Fact]
    public void Without_the_users_list_rights_cannot_be_checked_and_nothing_is_admitted()
    {
        var (_, refusal) = Admission.Caller(Admin, Meta("[]"));
        Assert.Equal((403, "rights.unavailable"), (refusal!.Status, refusal.Code));
    }

    // ---- who may copy ----------------------------------------------------------------------

    [Theory]
    [InlineData(new long[0], new long[0], true)]         // empty = everyone with rights
    [InlineData(new long[] { AllA }, new long[0], true)]
    [InlineData(new long[] { Admin }, new long[0], false)] // the list holds for everyone, admins included
    [InlineData(new long[0], new long[] { 0L }, true)]    // the default group ("Отдел продаж", group_id null)
    [InlineData(new long[0], new long[] { 10L }, false)]
    public void Who_may_copy_is_checked_by_user_and_by_group(long[] users, long[] groups, bool admitted)
    {
        var r = Copy(Spec(AllA, [D1]), new CopyAccess(users, groups));
        if (admitted) Assert.Null(r);
        else Refused(r, 403, "rights.not_allowed", "", "rights.not_allowed");
    }

    [Fact]
    public void A_group_member_is_admitted_when_the_group_is_allowed()
    {
        Assert.Null(Copy(Spec(Mate, [D1]), new CopyAccess([], [10])));
        Refused(Copy(Spec(Mate, [D1]), new CopyAccess([AllA], [0])), 403, "rights.not_allowed", "", "rights.not_allowed");
    }

    // ---- view: a deal the user may not see is a deal that does not exist ---------------------

    [Theory]
    [InlineData(AllA, D1, true)]
    [InlineData(AllA, D2, true)]
    [InlineData(Group, D2, true)]   // G: the responsible (Mate) is in the user's group 10
    [InlineData(Group, D1, false)]  // G: AllA is in the default group
    [InlineData(Own, D3, true)]     // M: own deal
    [InlineData(Own, D1, false)]
    [InlineData(Staged, D1, true)]
    [InlineData(Staged, D4, false)] // the stage rule (view D) narrows A
    [InlineData(StageWidened, D1, true)]  // the stage rule (view A) widens M
    [InlineData(StageWidened, D4, false)]
    [InlineData(AllA, Gone, false)] // missing
    public void The_view_right_decides_which_source_deals_exist_for_the_user(long user, long deal, bool visible)
    {
        var r = Copy(Spec(user, [deal]));
        if (visible) Assert.Null(r);
        else
        {
            Refused(r, 404, "deals.not_found", "lead_ids[0]", "deal.not_found");
            Assert.Equal(deal.ToString(System.Globalization.CultureInfo.InvariantCulture), r!.Refusals.Single().Params["lead_id"]);
            Assert.Equal($"deal {deal} does not exist or was deleted", r.Refusals.Single().Message); // the same words as for a missing deal
        }
    }

    [Fact]
    public void A_deleted_deal_is_not_found()
    {
        var deleted = Deal(D1, AllA);
        deleted.IsDeleted = true;
        Refused(Copy(Spec(AllA, [D1]), sources: [deleted]), 404, "deals.not_found", "lead_ids[0]", "deal.not_found");
    }

    [Fact]
    public void Before_the_deals_are_read_only_the_request_is_checked()
    {
        Assert.Null(Admission.Copy(Spec(Own, [D1]), Meta(), CopyAccess.Everyone, sources: null));
        Refused(Admission.Copy(Spec(NoAdd, [D1]), Meta(), CopyAccess.Everyone, sources: null), 403, "rights.add_denied", "", "rights.add_denied");
    }

    // ---- add and the target stage ---------------------------------------------------------

    [Fact]
    public void Without_the_add_right_no_copy_is_made() =>
        Refused(Copy(Spec(NoAdd, [D1])), 403, "rights.add_denied", "", "rights.add_denied");

    [Theory]
    [InlineData(Staged, P2, P2A, false)]     // stage rule edit D
    [InlineData(Staged, P2, P2B, true)]
    [InlineData(Staged, P2, null, false)]    // the default stage of P2 is its first, P2A
    [InlineData(Staged, P1, null, true)]     // same pipeline: the source's stage P1A
    [InlineData(Staged, P1, P1B, false)]     // view D there
    [InlineData(AllA, P2, P2A, true)]
    [InlineData(ViewOnly, P2, P2A, true)]    // creating needs add, not edit
    [InlineData(NoView, P2, P2B, false)]     // view D: no deal it could not see
    public void The_target_stage_must_be_one_the_user_may_put_deals_into(long user, long pipeline, long? status, bool admitted)
    {
        var r = Copy(Spec(user, [D1], pipeline, status));
        if (admitted) Assert.Null(r);
        else Refused(r, 422, "copy.not_applicable", "target.status_id", "rights.stage_denied");
    }

    // ---- edit: moving or closing the original ----------------------------------------------

    public static TheoryData<long, long, OriginalMode, bool> Originals => new()
    {
        { AllA, D1, OriginalMode.Move, true },
        { AllA, D2, OriginalMode.CloseLost, true },
        { ViewOnly, D1, OriginalMode.Move, false },
        { ViewOnly, D1, OriginalMode.CloseWon, false },
        { ViewOnly, D1, OriginalMode.Leave, true },
        { Own, D3, OriginalMode.CloseWon, true },
        { Group, D2, OriginalMode.CloseLost, true },
        { StageWidened, D1, OriginalMode.Move, false },      // may edit D1 in P1A (stage rule A), not in P1B where it would go (M, not theirs)
        { StageWidened, D1, OriginalMode.CloseLost, false }, // nor once it is lost
        { EditGroup, D2, OriginalMode.Move, true },          // sees every deal, changes his group's: Mate is in group 10
        { EditGroup, D2, OriginalMode.CloseLost, true },
        { EditGroup, D1, OriginalMode.CloseWon, false },     // AllA is in the default group
        { EditOwn, D1, OriginalMode.Move, false },           // sees every deal, changes only his own
        { EditOwn, D3, OriginalMode.CloseLost, false },
    };

    [Theory]
    [MemberData(nameof(Originals))]
    public void Moving_or_closing_the_original_needs_the_edit_right_on_it(long user, long deal, OriginalMode mode, bool admitted)
    {
        var original = mode switch
        {
            OriginalMode.Move => new OriginalAction(OriginalMode.Move, P1, P1B),
            OriginalMode.CloseLost => new OriginalAction(OriginalMode.CloseLost, LossReasonId: 4203748),
            _ => new OriginalAction(mode),
        };
        var r = Copy(Spec(user, [deal], original: original));
        if (admitted) Assert.Null(r);
        else Assert.Contains(r!.Refusals, x => x.Code is "rights.edit_denied" or "rights.stage_denied");
    }

    [Fact]
    public void The_original_is_refused_when_the_user_may_not_edit_it()
    {
        Refused(Copy(Spec(ViewOnly, [D1], original: new OriginalAction(OriginalMode.CloseWon))), 403, "rights.edit_denied", "lead_ids[0]", "rights.edit_denied");
    }

    [Fact]
    public void The_original_cannot_be_moved_into_a_stage_the_user_may_not_use() =>
        Refused(Copy(Spec(Staged, [D1], original: new OriginalAction(OriginalMode.Move, P2, P2A))), 422, "copy.not_applicable", "original.status_id", "rights.stage_denied");

    // ---- the request against the account (absorbed from the account actor) ------------------

    public static TheoryData<CopyJobSpec, string, string> BadRequests => new()
    {
        { Spec(AllA, [D1], pipeline: 9999, status: null), "target.pipeline_id", "pipeline.not_found" },
        { Spec(AllA, [D1], pipeline: P3, status: P3A), "target.pipeline_id", "pipeline.archived" },
        { Spec(AllA, [D1], status: 9999), "target.status_id", "stage.not_found" },
        { Spec(AllA, [D1], status: P2Unsorted), "target.status_id", "stage.unsorted" },
        { Spec(AllA, [D1], responsible: new ResponsibleRule(ResponsibleMode.Fixed, [9999])), "responsible.user_ids[0]", "user.not_found" },
        { Spec(AllA, [D1], responsible: new ResponsibleRule(ResponsibleMode.RoundRobin, [AllA, Inactive])), "responsible.user_ids[1]", "user.inactive" },
        { Spec(AllA, [D1], responsible: new ResponsibleRule(ResponsibleMode.Fixed, [Free])), "responsible.user_ids[0]", "user.inactive" },
        { Spec(AllA, [D1], content: CopyContent.Everything with { AllFields = false, FieldIds = [77, 88] }), "copy.fields[1]", "field.not_found" },
        { Spec(AllA, [D1], original: new OriginalAction(OriginalMode.Move, 9999, 1)), "original.pipeline_id", "pipeline.not_found" },
        { Spec(AllA, [D1], original: new OriginalAction(OriginalMode.Move, P1, P1Unsorted)), "original.status_id", "stage.not_movable" },
        { Spec(AllA, [D1], original: new OriginalAction(OriginalMode.CloseLost, LossReasonId: 1)), "original.loss_reason_id", "loss_reason.not_found" },
        { Spec(AllA, [D1], template: "{nope}"), "name_template", "name_template.invalid" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void A_request_that_does_not_fit_the_account_is_refused_on_its_field(CopyJobSpec spec, string field, string code) =>
        Refused(Copy(spec), 422, "copy.not_applicable", field, code);

    [Fact]
    public void A_fitting_request_by_a_user_with_the_rights_is_admitted() =>
        Assert.Null(Copy(Spec(AllA, [D1, D2, D3, D4], original: new OriginalAction(OriginalMode.Move, P1, P1B))));

    // ---- undo and viewing a job --------------------------------------------------------------

    private static JobState Job(long author, long source = D1)
    {
        var job = JobState.Create("job", Spec(author, [source]), 0);
        job.Apply(new CopyCreated("job", CopyItemState.KeyOf(source, 1), 9001, []));
        job.Apply(new JobFinished("job", 1));
        return job;
    }

    private static UserAccess U(long id) => UserAccess.Of(Meta().User(id)!);

    private static readonly Lead[] Copies = [Deal(9001, AllA, P2, P2B)];

    [Theory]
    [InlineData(AllA, true)]      // the author
    [InlineData(Admin, true)]     // an admin
    [InlineData(Mate, true)]      // may edit the copy (A)
    [InlineData(ViewOnly, false)] // may see, not change
    [InlineData(Own, false)]      // the copy is not theirs
    public void Undo_is_for_the_author_an_admin_or_who_may_edit_every_copy(long user, bool admitted)
    {
        var r = Admission.Undo(Job(AllA), U(user), Meta(), CopyAccess.Everyone, Copies);
        if (admitted) Assert.Null(r);
        else
        {
            Assert.Equal((403, "rights.undo_denied"), (r!.Status, r.Code));
            Assert.Equal("9001", r.Refusals.Single().Params["lead_id"]);
        }
    }

    [Theory]
    [InlineData(Group, Mate, true)]      // G: the copy's responsible is in the user's group 10
    [InlineData(Group, AllA, false)]
    [InlineData(Own, Own, true)]         // M: the copy is the user's own
    [InlineData(Own, Mate, false)]
    [InlineData(EditGroup, Mate, true)]  // edit G, view A
    [InlineData(EditOwn, Mate, false)]
    [InlineData(NoView, NoView, false)]  // D: not even a copy of his own
    public void Undo_by_a_non_author_follows_the_edit_letter_on_each_copy(long user, long copyResponsible, bool admitted)
    {
        var r = Admission.Undo(Job(Admin), U(user), Meta(), CopyAccess.Everyone, [Deal(9001, copyResponsible, P2, P2B)]);
        if (admitted) Assert.Null(r);
        else Assert.Equal((403, "rights.undo_denied"), (r!.Status, r.Code));
    }

    [Fact]
    public void Undo_holds_who_may_copy_even_for_the_author() =>
        Assert.Equal("rights.not_allowed", Admission.Undo(Job(AllA), U(AllA), Meta(), new CopyAccess([Admin], []), null)!.Code);

    [Theory]
    [InlineData(AllA, true)]
    [InlineData(Admin, true)]
    [InlineData(Mate, true)]     // may view D1 (A)
    [InlineData(Own, false)]     // D1 is not theirs
    [InlineData(NoView, false)]
    public void A_job_is_shown_to_its_author_an_admin_or_who_may_see_its_deals(long user, bool shown) =>
        Assert.Equal(shown, Admission.MayViewJob(Job(AllA), U(user), Meta(), Deals));

    [Theory]
    [InlineData(Group, D2, true)]   // G: Mate's deal, group 10
    [InlineData(Group, D1, false)]
    [InlineData(Own, D3, true)]     // M: his own deal
    [InlineData(Own, D2, false)]
    [InlineData(Staged, D4, false)] // a stage rule hides the deal's stage
    [InlineData(StageWidened, D1, true)]
    public void A_job_is_shown_to_a_non_author_whose_view_letter_covers_its_deals(long user, long source, bool shown) =>
        Assert.Equal(shown, Admission.MayViewJob(Job(Admin, source), U(user), Meta(), Deals));

    // ---- the form's choices ------------------------------------------------------------------

    [Theory]
    [InlineData(AllA, "1002,1003,142,143|2002,2003,142,143")]
    [InlineData(Staged, "1002,142,143|2003,142,143")]
    [InlineData(NoAdd, "")]
    [InlineData(ViewOnly, "1002,1003,142,143|2002,2003,142,143")]
    [InlineData(NoView, "")]
    [InlineData(Group, "1002,1003,142,143|2002,2003,142,143")] // G and M see some deals in every stage: they may put deals there
    [InlineData(Own, "1002,1003,142,143|2002,2003,142,143")]
    [InlineData(StageWidened, "1002,1003,142,143|2002,2003,142,143")]
    public void The_form_offers_only_stages_the_user_may_put_deals_into(long user, string expected)
    {
        var offered = string.Join("|", Admission.UsableStages(U(user), Meta()).Select(x => string.Join(",", x.Stages.Select(s => s.Id))));
        Assert.Equal(expected, offered);
    }

    // ---- settings ----------------------------------------------------------------------------

    [Fact]
    public void Only_an_admin_may_change_who_may_copy()
    {
        Assert.Equal((403, "settings.admin_only"), Pair(Admission.SaveSettings(U(AllA), Meta(), new CopyAccess([AllA], []))));
        Assert.Null(Admission.SaveSettings(U(Admin), Meta(), new CopyAccess([AllA, Own], [0, 10])));
    }

    [Fact]
    public void Who_may_copy_names_only_users_and_groups_of_the_account()
    {
        var r = Admission.SaveSettings(U(Admin), Meta(), new CopyAccess([AllA, 4242], [10, 77]))!;
        Assert.Equal((422, "settings.invalid"), Pair(r));
        Assert.Contains(r.Refusals, x => x.Field == "allowed_user_ids[1]" && x.Code == "settings.user_not_found");
        Assert.Contains(r.Refusals, x => x.Field == "allowed_group_ids[1]" && x.Code == "settings.group_not_found");
    }

    private static (int, string) Pair(AccessRefused? r) => (r!.Status, r.Code);

    // ---- the Digital Pipeline key ------------------------------------------------------------

    /// <summary>What GET /api/v1/dp/key decides: the caller first (as for every call), then the admin flag of the users list.</summary>
    private static AccessRefused? DpKey(long user)
    {
        var (access, refusal) = Admission.Caller(user, Meta());
        return refusal ?? Admission.ReadDpKey(access!);
    }

    [Theory]
    [InlineData(Admin, null)]
    [InlineData(AllA, "rights.admin_only")]      // every letter A is still not an administrator
    [InlineData(Own, "rights.admin_only")]
    [InlineData(NoView, "rights.admin_only")]
    [InlineData(NoAdd, "rights.admin_only")]
    [InlineData(Staged, "rights.admin_only")]
    [InlineData(Mate, "rights.admin_only")]
    [InlineData(RetiredAdmin, "rights.user_inactive")] // a deactivated administrator is no administrator
    [InlineData(Free, "rights.user_free")]
    [InlineData(424242, "rights.user_unknown")]
    public void Only_an_active_admin_may_read_the_digital_pipeline_key(long user, string? code)
    {
        var r = DpKey(user);
        if (code is null)
        {
            Assert.Null(r);
            return;
        }
        Assert.Equal((403, code), Pair(r));
        var refusal = r!.Refusals.Single();
        Assert.Equal(("", code), (refusal.Field, refusal.Code));
        Assert.Equal(user.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Params["user_id"]);
    }



    // ---- every code is documented and worded -------------------------------------------------

    [Fact]
    public void Every_rights_and_settings_code_is_in_the_api_codes_table_and_worded_in_ru_and_en()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DealCopy.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var source = File.ReadAllText(Path.Combine(root.FullName, "src", "DealCopy.Actors", "Accounts", "Admission.cs"));
        var codes = System.Text.RegularExpressions.Regex.Matches(source, "\"((?:rights|settings)\\.[a-z_]+)\"").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(codes.Count >= 12, string.Join(", ", codes));
        var api = File.ReadAllText(Path.Combine(root.FullName, "docs", "API.md"));
        foreach (var lang in new[] { "ru", "en" })
        {
            var messages = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(Path.Combine(root.FullName, "widget", "public", "i18n", lang + ".json")));
            foreach (var code in codes)
            {
                Assert.Contains($"`{code}`", api);
                Assert.True(messages["codes"]?[code]?.Type == Newtonsoft.Json.Linq.JTokenType.String, $"{lang}.json has no codes.{code}");
            }
        }
    }

    // ---- reading amoCRM's rights object --------------------------------------------------------

    [Fact]
    public void Rights_are_read_from_the_documented_users_answer()
    {
        // users-api-01 (amoCRM's documented example): the second user has add G, which amoCRM documents as A/D only — read strictly as not A
        var users = AmoJson.Deserialize<Page>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", "users-api-01.json")));
        var first = UserAccess.Of(users.Embedded.Users[0]);
        Assert.Equal(("A", "A", "A", false, true), (first.View, first.Edit, first.Add, first.IsAdmin, first.IsActive));
        Assert.Equal(2, first.Stages.Count);
        Assert.False(UserAccess.Of(users.Embedded.Users[1]).MayPutInto(1, 2));
    }

    private sealed class Page
    {
        [Newtonsoft.Json.JsonProperty("_embedded")]
        public Embedded Embedded { get; set; } = new();
    }

    private sealed class Embedded
    {
        public List<User> Users { get; set; } = [];
    }
}
