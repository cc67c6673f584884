using System.Diagnostics;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.AmoClient;
using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.OAuth;
using DealCopy.AmoSandbox.Platform;
using static DealCopy.Bench.Report;

namespace DealCopy.Bench;

/// <summary>The benchmark's full deal: what one source deal holds (Sandbox full_deals).</summary>
public static class FullDeal
{
    public const int Contacts = 2, Products = 3, Notes = 3, Tasks = 2, TraceNotes = 2;

    /// <summary>
    /// The fewest requests amoCRM's batch limit allows for copying <paramref name="deals"/> full deals: reading
    /// the deals (with contacts and products), their notes and their tasks, creating the copies (contacts and
    /// company ride along), linking products, writing notes (the copied ones plus a trace note in source and
    /// copy) and tasks — each at <paramref name="batch"/> entities per request.
    /// </summary>
    public static int FewestRequests(int deals, int batch = 250)
    {
        int Calls(int entities) => (entities + batch - 1) / batch;
        return Calls(deals) + Calls(deals * Notes) + Calls(deals * Tasks)
             + Calls(deals) + Calls(deals * Products) + Calls(deals * (Notes + TraceNotes)) + Calls(deals * Tasks);
    }
}

/// <summary>P1 (one job of many full deals) and P1-base (the same copies made the per-deal way).</summary>
public static class Copying
{
    public static async Task<IReadOnlyList<CallStats>> P1(BenchOptions o)
    {
        var deals = o.Int("deals", 1000);
        var createBatch = o.Raw.GetValueOrDefault("create-batch");
        var host = new Dictionary<string, string?>();
        if (createBatch is not null) host["Amo:MaxCreateBatch"] = createBatch;
        var rows = new List<IReadOnlyList<string>>();
        var results = new List<(double Seconds, CallStats Stats)>();
        IReadOnlyList<RequestLogEntry>? firstLog = null;
        for (var run = 1; run <= o.Runs; run++)
        {
            await using var stack = await Stack.StartAsync(o, host);
            var account = await stack.AddAccountAsync(deals + 1);
            var all = await stack.LeadIdsAsync(account);
            // warm the account (metadata, marker field): the figure measures copying, not the first call of the day
            await stack.WaitAsync(account, [await stack.StartCopyAsync(account, Stack.FullCopy([all[0]], account.PipelineId))], TimeSpan.FromMinutes(2));
            var ids = all.Skip(1).Take(deals).ToArray();
            await stack.Sandbox.Control.ClearRequestsAsync();

            var clock = Stopwatch.StartNew();
            // one job holds at most 500 deals (the widget API's limit): 1,000 deals are two jobs started together
            var jobs = await Task.WhenAll(ids.Chunk(500).Select(chunk => stack.StartCopyAsync(account, Stack.FullCopy(chunk, account.PipelineId))));
            await stack.WaitAsync(account, jobs, TimeSpan.FromMinutes(20), pollMs: 100,
                progress: (done, total) => Progress($"p1 run {run}/{o.Runs}: {done}/{total} deals copied, {clock.Elapsed.TotalSeconds:F0} s"));
            clock.Stop();

            var log = await stack.Sandbox.Control.RequestsAsync(account.Id);
            await Verify(stack, account, deals + 1);
            var stats = CallStats.Of(log);
            firstLog ??= log;
            results.Add((clock.Elapsed.TotalSeconds, stats));
            Progress($"p1 run {run}: {clock.Elapsed.TotalSeconds:F1} s, {stats.Requests} requests ({stats.KindsText()})");
            if (stack.Retries > 0) Console.WriteLine($"note: run {run} repeated {stack.Retries} start(s) after a 503 (the account did not answer within Akka:AskTimeoutSeconds)");
            rows.Add(Row(run.ToString(C), deals, clock.Elapsed.TotalSeconds, stats));
        }

        var fewest = FullDeal.FewestRequests(deals);
        var bound = fewest / 7.0;
        var batch = int.Parse(createBatch ?? new DealCopy.Host.Configuration.AmoOptions().MaxCreateBatch.ToString(C), C); // the shipped default
        Header($"P1: {deals} full deals in one copy ({(deals + 499) / 500} job(s) of ≤ 500 started together), Amo:MaxCreateBatch {batch}", o,
            $"bench/run.sh p1 --deals {deals} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}" + (createBatch is null ? "" : $" --create-batch {createBatch}"));
        Table(["run", "deals", "seconds", "deals/s", "amoCRM requests", "requests/deal", "busiest second", "429s"], rows);
        Console.WriteLine();
        var median = Median(results.Select(r => r.Seconds));
        Console.WriteLine($"API-budget bound: the fewest requests 250 per batch allows = {fewest} (at Amo:MaxCreateBatch {batch}: {FullDeal.FewestRequests(deals, 250) - FewestCreates(deals, 250) + FewestCreates(deals, batch)}), ÷ 7/s = {bound:F1} s");
        Console.WriteLine($"our time as a multiple of the bound: {Spread(results.Select(r => r.Seconds / bound), "F2")}× (median {median:F1} s; goal ≤ 1.1×)");
        Console.WriteLine($"requests by kind (run 1): {results[0].Stats.KindsText()}");
        if (o.Raw.TryGetValue("svg", out var svg) && firstLog is not null)
        {
            File.WriteAllText(svg, Report.CallsSvg(firstLog, $"P1: amoCRM requests while copying {deals} full deals (run 1, latency {o.LatencyMs} ms)", bound));
            Console.WriteLine($"chart: {svg}");
        }
        Console.WriteLine($"P1 seconds per deal (median): {median / deals:F4}");
        return results.Select(r => r.Stats).ToList();
    }

    /// <summary>The create requests of the bound alone (leads, links, notes, tasks), at a create batch.</summary>
    private static int FewestCreates(int deals, int batch)
    {
        int Calls(int entities) => (entities + batch - 1) / batch;
        return Calls(deals) + Calls(deals * FullDeal.Products) + Calls(deals * (FullDeal.Notes + FullDeal.TraceNotes)) + Calls(deals * FullDeal.Tasks);
    }

    private static IReadOnlyList<string> Row(string run, int deals, double seconds, CallStats s) =>
    [
        run, deals.ToString(C), seconds.ToString("F1", C), (deals / seconds).ToString("F1", C), s.Requests.ToString(C),
        ((double)s.Requests / deals).ToString("F3", C), s.Busiest.ToString(C), s.Limited.ToString(C),
    ];

    /// <summary>Every copy is whole: the account holds twice the deals, notes and tasks (plus a trace note per source and copy).</summary>
    private static async Task Verify(Stack stack, BenchAccount account, int sources)
    {
        var dump = await stack.Sandbox.Control.DumpAsync(account.Id);
        var leads = dump["leads"]!.AsArray().Count;
        var notes = dump["notes"]!.AsArray().Count;
        var tasks = dump["tasks"]!.AsArray().Count;
        var links = dump["leads"]!.AsArray().Sum(l => l!["_embedded"]!["catalog_elements"]!.AsArray().Count);
        var expected = (Leads: 2 * sources, Notes: sources * (2 * FullDeal.Notes + FullDeal.TraceNotes), Tasks: 2 * sources * FullDeal.Tasks, Products: 2 * sources * FullDeal.Products);
        if ((leads, notes, tasks, links) != expected)
            throw new InvalidOperationException($"the copies are not whole: leads {leads}, notes {notes}, tasks {tasks}, products {links}; expected {expected}");
    }

    /// <summary>
    /// P1-base: what the seed and the usual widgets do — one deal at a time: read the deal, its links, notes and
    /// tasks, create the copy, link its products, add notes, add tasks (8 requests), through the same
    /// AmoClient and the same rate gate (7 per sliding second, a slot held until one window after the answer).
    /// </summary>
    public static async Task<IReadOnlyList<CallStats>> P1Base(BenchOptions o)
    {
        var sizes = o.Ints("deals", 100, 200);
        var rows = new List<IReadOnlyList<string>>();
        var perDeal = new Dictionary<int, List<double>>();
        var all = new List<CallStats>();
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var size in sizes)
            {
                await using var stack = await Stack.StartAsync(o);
                var account = await stack.AddAccountAsync(size, install: false);
                var ids = await stack.LeadIdsAsync(account);
                var store = new InMemoryAmoTokenStore();
                await store.SaveAsync(account.Id, AmoTokens.LongLived(account.Token), CancellationToken.None);
                var options = new AmoClientOptions
                {
                    ClientId = stack.Sandbox.Options.ClientId, ClientSecret = stack.Sandbox.Options.ClientSecret,
                    RedirectUri = stack.Sandbox.Options.RedirectUri, BaseUrl = stack.Sandbox.BaseAddress,
                };
                using var http = new HttpClient();
                var client = new AmoClient.AmoClient(http, options, store, new AccountRequestGates(7, TimeSpan.FromMilliseconds(20), TimeProvider.System));
                var amo = client.ForAccount(account.Id, account.Referer);
                var meta = await Metadata(amo, account);
                await Task.Delay(1100); // the metadata's slots leave the window before the clock starts
                await stack.Sandbox.Control.ClearRequestsAsync();

                var clock = Stopwatch.StartNew();
                for (var i = 0; i < ids.Length; i++)
                {
                    await CopyOne(amo, meta, ids[i], i);
                    if (i % 20 == 19) Progress($"p1-base run {run}/{o.Runs}, {size} deals: {i + 1} copied, {clock.Elapsed.TotalSeconds:F0} s");
                }
                clock.Stop();
                var log = await stack.Sandbox.Control.RequestsAsync(account.Id);
                await Verify(stack, account, size);
                var stats = CallStats.Of(log);
                all.Add(stats);
                rows.Add(Row(run.ToString(C), size, clock.Elapsed.TotalSeconds, stats));
                (perDeal.TryGetValue(size, out var l) ? l : perDeal[size] = []).Add(clock.Elapsed.TotalSeconds / size);
                Progress($"p1-base run {run}, {size} deals: {clock.Elapsed.TotalSeconds:F1} s, {stats.Requests} requests");
            }
        }
        Header("P1-base: the same full deals copied the per-deal way (8 requests a deal, same AmoClient and rate gate)", o,
            $"bench/run.sh p1-base --deals {string.Join(',', sizes)} --runs {o.Runs} --latency {o.LatencyMs} --jitter {o.JitterMs}");
        Table(["run", "deals", "seconds", "deals/s", "amoCRM requests", "requests/deal", "busiest second", "429s"], rows);
        Console.WriteLine();
        foreach (var (size, values) in perDeal) Console.WriteLine($"seconds per deal at {size} deals: {Spread(values, "F3")}");
        Console.WriteLine($"P1-base seconds per deal (median of all): {Median(perDeal.Values.SelectMany(v => v)):F4}");
        return all;
    }

    private static async Task<AccountMetadata> Metadata(AmoAccountClient amo, BenchAccount account)
    {
        var pipelines = await amo.Account.GetPipelinesAsync();
        var fields = await amo.CustomFields.GetAsync("leads");
        var marker = fields.FirstOrDefault(f => string.Equals(f.Code, Marker.FieldCode, StringComparison.OrdinalIgnoreCase))
            ?? (await amo.CustomFields.CreateAsync([new CustomFieldWrite { Name = Marker.FieldName, Type = Marker.FieldType, Code = Marker.FieldCode, IsApiOnly = true }], "leads"))[0];
        fields.Add(marker);
        var users = await amo.Account.GetUsersAsync();
        var lossReasons = await amo.Leads.GetLossReasonsAsync();
        return new AccountMetadata(account.Id, account.Referer, pipelines, fields, users, lossReasons, marker.Id, DateTimeOffset.UtcNow);
    }

    private static readonly CopyContent Full = CopyContent.Everything with { Notes = true, OpenTasks = true, FinishedTasks = true };

    private static async Task CopyOne(AmoAccountClient amo, AccountMetadata meta, long sourceId, int sequence)
    {
        var source = await amo.Leads.GetAsync(sourceId, LeadWith.ForCopy) ?? throw new InvalidOperationException($"deal {sourceId} is gone");
        var links = await amo.Links.GetForLeadAsync(sourceId);
        var notes = await amo.Notes.GetForLeadsAsync([sourceId]);
        var tasks = await amo.Tasks.GetForLeadsAsync([sourceId]);
        var options = new CopyOptions(source.PipelineId!.Value, null, ResponsibleRule.Keep, CopyOptions.DefaultNameTemplate, Full, OriginalAction.Leave, 1);
        var draft = CopyPlan.Plan(source, meta, options, new CopyContext("per-deal-" + sourceId, 1, sequence, DateTimeOffset.UtcNow, 0));
        var written = await amo.Leads.CreateAsync([draft.Lead]);
        var copyId = written[0].Id;
        var products = links.Where(l => l.ToEntityType == LinkTypes.CatalogElements).Select(l => l.ToWrite(copyId)).ToList();
        if (products.Count > 0) await amo.Links.LinkAsync(products);
        var noteWrites = CopyPlan.Notes(notes, copyId);
        var (inSource, inCopy) = CopyPlan.TraceNotes(meta.Referer, sourceId, copyId);
        noteWrites.Add(inCopy);
        noteWrites.Add(inSource);
        await amo.Notes.CreateAsync(noteWrites);
        var taskWrites = CopyPlan.Tasks(tasks, copyId, draft.Lead.ResponsibleUserId, Full, DateTimeOffset.UtcNow);
        if (taskWrites.Count > 0) await amo.Tasks.CreateAsync(taskWrites);
    }
}
