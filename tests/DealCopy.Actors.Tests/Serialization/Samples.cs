using DealCopy.Actors.Accounts;
using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.Tests.Serialization;

/// <summary>One filled-in instance of every message type; a new message type fails the tests until it has one here.</summary>
internal static class Samples
{
    private const long Account = 28805383;
    private const string Job = "0123456789abcdef0123456789abcdef";

    public static readonly CopyJobSpec Spec = new(
        [3912171, 3912172],
        new CopyOptions(
            3104455, 142,
            new ResponsibleRule(ResponsibleMode.RoundRobin, [504141, 504142]),
            "{name} (копия {n})",
            new CopyContent(false, [101, 102], true, true, false, true, true, true, false, true),
            new OriginalAction(OriginalMode.CloseLost, 3104455, 143, 4203748),
            3),
        504141,
        "ключ-1");

    private static readonly RepeatTrigger Trigger = new(3912171, 3104455, 142, 1700000000, "a1b2c3d4e5f6", true, 1, 1702592000);

    private static readonly Reason Gone = Reason.Of("copy.source_gone", "the source deal no longer exists", ("lead_id", 3912172));

    private static readonly SkippedField Skipped = new(107, "Маржа", "numeric", "computed (formula) field: amoCRM calculates it");

    private static readonly JobView View = new(
        Job, "completed_with_errors", 1700000000, 1700000100, 6, 6,
        [
            new DealProgressView(3912171, "done", [new CopyView(1, 10185151), new CopyView(2, 10185153)], [Skipped], [], []),
            new DealProgressView(3912172, "failed", [], [], ["copy 1: the source deal no longer exists"], [ProblemView.Of(1, Gone)]),
        ],
        new UndoView("done", 504141, [10185151], [new UndoProblemView(10185153, "amoCRM refused to close the copy: closed", "undo.close_refused", new Dictionary<string, string> { ["detail"] = "closed" })]))
    {
        Retries = 3,
        LastError = new JobError("amo.unavailable", new Dictionary<string, string> { ["status"] = "502" }, "amoCRM failed: POST /api/v4/leads answered 502"),
    };

    private static AccountState State()
    {
        var state = new AccountState();
        state.Apply(new AccountInstalled("demo.amocrm.ru", "v1.c2VhbGVk", 1700000000));
        state.Apply(new WidgetTokenUsed("5c1d2e3f-jti", 1700000661, 1700000000));
        state.Apply(new JobAccepted(Job, Spec, 1700000001));
        state.Apply(new CopiesAttempted(Job, ["3912171:1"], 1700000002));
        state.Apply(new CopyCreated(Job, "3912171:1", 10185151, [Skipped]));
        state.Apply(new CopyStepAttempted(Job, "3912171:1", CopyStep.Notes));
        state.Apply(new CopyStepDone(Job, "3912171:1", CopyStep.Notes, Reason.Of("notes.not_copied", "1 note(s) not copied: refused", ("count", 1), ("detail", "refused"))));
        state.Apply(new CopyFailed(Job, "3912172:1", Gone));
        state.Apply(new OriginalHandled(Job, 3912171, null));
        state.Apply(new CopyAccessChanged(new CopyAccess([504141], [0]), 504141, 1700000600));
        return state;
    }

    public static IReadOnlyDictionary<Type, object> ByType { get; } = new object[]
    {
        // commands
        new InstallAccount(Account, "demo.amocrm.ru", "access", "refresh", 1700086400),
        new SaveTokens(Account, "access-2", null, null),
        new StartCopy(Account, Spec),
        new PreviewCopy(Account, Spec),
        new GetJob(Account, Job) { ForUserId = 504141 },
        new UndoJob(Account, Job, 504141),
        new GetAccountMeta(Account) { ForUserId = 504141 },
        new GetCopySettings(Account, 504141),
        new SaveCopySettings(Account, 504141, new CopyAccess([504141, 504142], [0, 267688])),
        new AdmitDpKey(Account, 504141),
        new GetAccountStatus(Account),
        new ListAccountJobs(Account),
        new ListJobs(Account, 504141, 20, 20, 1690000000),
        new AuthorizeWidgetCall(Account, "6f1a0a0e-5a3c-4d4e-9c0a-1b2c3d4e5f60", 1700001800, 1700000000) { UserId = 504141 },
        // replies
        new AccountInstalledReply(Account, "demo"),
        new TokensSaved(Account),
        new CopyAccepted(Job, true),
        new CopyPreviewView(2, 6,
            [new PreviewTargetView(3104455, 142, 6)],
            [new PreviewResponsibleView(504141, 3), new PreviewResponsibleView(504142, 3)],
            1, [new PreviewSkipView("field.computed", 1)],
            new RequestEstimate(new Dictionary<string, int> { ["read_leads"] = 1, ["create_leads"] = 1, ["create_notes"] = 1 }, 1, 2, 3, 7, 1),
            [new PreviewDealView(3912171, "Поставка", [new PreviewCopyView(1, "Поставка (копия 1)", 3104455, 142, 504141)], 12, 1500m,
                [new PreviewContactView(501, false), new PreviewContactView(502, true)], 300, [new PreviewProductView(601, 77, 3m)], ["vip"], 4, 2, [Skipped])]),
        new CopyRejected(400, "request.invalid", "The request is invalid", "2 problems", [Refusal.Of("lead_ids[2]", "request.invalid_field", "deal 5 is listed twice", ("field", "lead_ids[2]")), Refusal.Of("copies", "request.invalid_field", "from 1 to 50", ("field", "copies"))]),
        new JobNotFound(Job),
        new UndoAccepted(Job),
        new UndoRefused(409, "undo.job_running", "the job is still running"),
        new AccountNotInstalled(Account),
        new AmoUnavailable(Account, "amoCRM answered 503"),
        new AccountStatusView(Account, true, "demo", "demo.amocrm.ru", 2),
        new AccountJobsView(Account, [new AccountJobRow(Job, "running", 1700000000, null, 3, 1), new AccountJobRow("older", "completed", 1690000000, 1690000100, 1, 1)]),
        new WidgetCallAuthorized(Account, "demo.amocrm.ru"),
        new WidgetCallRefused(Account, "auth.token_replayed", "the token was used before"),
        new AccountMetaView(Account, "demo",
            [new PipelineView(3104455, "Воронка", true, [new StatusView(32392159, "Первичный контакт", 20, "#99ccff", "regular"), new StatusView(142, "Успешно", 10000, null, "won")])],
            [new UserView(504141, "Анна")],
            [new FieldView(101, "Комментарий", "text", true, null), new FieldView(107, "Маржа", "numeric", false, "computed")],
            [new LossReasonView(4203748, "Дорого")]),
        View,
        new CopySettingsView(new CopyAccess([504141], [267688]), [new SettingsUserView(504141, "Анна", 0)], [new SettingsGroupView(0, "Отдел продаж"), new SettingsGroupView(267688, "Менеджеры")], true, 504141, 1700000600),
        new AccessRefused(403, "rights.user_inactive", "The user is deactivated", "user 504142 is deactivated in amoCRM", [Refusal.Of("", "rights.user_inactive", "user 504142 is deactivated in amoCRM", ("user_id", 504142))]),
        new DpKeyAdmitted(Account),
        new JobPage(41, 20, 20, [new JobSummaryView(Job, "completed", "copy", 504141, 1700000001, 1700000100, 1, 2, 2, 2, 0, true)]),
        // events
        new AccountInstalled("demo.amocrm.ru", "v1.c2VhbGVk", 1700000000),
        new TokensRotated("v1.bmV3", 1700000500),
        new WidgetTokenUsed("5c1d2e3f-jti", 1700000661, 1700000000),
        new JobAccepted(Job, Spec, 1700000001),
        new CopiesAttempted(Job, ["3912171:1", "3912171:2"], 1700000002),
        new CopyCreated(Job, "3912171:1", 10185151, [Skipped]),
        new CopyFailed(Job, "3912172:1", Gone),
        new CopyStepAttempted(Job, "3912171:1", CopyStep.Products),
        new CopyStepDone(Job, "3912171:1", CopyStep.UndoUnlink, null),
        new OriginalHandled(Job, 3912171, Reason.Of("original.refused", "amoCRM refused to change the original: closed", ("detail", "closed"))),
        new JobFinished(Job, 1700000100),
        new UndoRequested(Job, 504141, 1700000200),
        new UndoFinished(Job, 1700000300),
        new JobCancelled(Job, Reason.Of("repeat.loop_guard", "loop guard: the deal is itself a repeat deal 1 rule copy deep (the limit is 1)", ("depth", 1), ("max_depth", 1)), 1700000400),
        new AccountUninstalled(1700000500),
        new CopyAccessChanged(new CopyAccess([504141], [0]), 504141, 1700000600),
        // repeat deals and the lifecycle
        new StartRepeatDeal(Account, Trigger, Spec.Options),
        new RepeatAccepted(Job, true, 1702592000),
        new UninstallAccount(Account),
        new AccountUninstalledReply(Account, 2),
        // snapshot
        State(),
    }.ToDictionary(o => o.GetType());
}
