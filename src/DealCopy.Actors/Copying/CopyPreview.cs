using DealCopy.Actors.Protocol;
using DealCopy.AmoClient;
using DealCopy.AmoClient.Endpoints;
using DealCopy.AmoClient.Model;

namespace DealCopy.Actors.Copying;

/// <summary>The limits a copy's requests are counted with: the client's batches and request line, the job's create batch, the account's rate.</summary>
public sealed record CopyBudget(AmoClientOptions Client, int MaxCreateBatch, int RequestsPerSecond)
{
    public static CopyBudget Default { get; } = new(new AmoClientOptions(), 50, 7);
}

/// <summary>
/// The dry run of a copy (docs/API.md "POST /api/v1/copies/preview"), as one pure function: from an admitted request,
/// the account's metadata, the source deals as read (and their notes and tasks when the copy would copy them) to what
/// every copy would be — planned by <see cref="CopyPlan"/> exactly as the job plans it, round-robin by the same
/// sequence — and the amoCRM requests the job would send, step by step, chunked as the job and the client chunk them.
/// </summary>
public static class CopyPreview
{
    public static CopyPreviewView Of(CopyJobSpec spec, AccountMetadata meta, IReadOnlyList<Lead> sources,
        IReadOnlyList<Note>? notes, IReadOnlyList<AmoTask>? tasks, CopyBudget budget, DateTimeOffset now)
    {
        var o = spec.Options;
        var content = o.Content;
        var byId = sources.Where(l => l.IsDeleted != true).GroupBy(l => l.Id).ToDictionary(g => g.Key, g => g.First());
        var notesOf = (notes ?? []).ToLookup(n => n.EntityId ?? 0);
        var tasksOf = (tasks ?? []).ToLookup(t => t.EntityId ?? 0);
        var copyTasks = content.OpenTasks || content.FinishedTasks;

        // the job's items in the job's order: each source, then its copies 1..N; the sequence drives round-robin
        var planned = new List<(long SourceId, int N, LeadCopyDraft Draft, int Notes, int Tasks)>();
        var deals = new List<PreviewDealView>();
        var sequence = 0;
        foreach (var sourceId in spec.SourceLeadIds)
        {
            if (!byId.TryGetValue(sourceId, out var source)) continue; // admission refuses a missing deal before this
            var copies = new List<PreviewCopyView>();
            LeadCopyDraft? first = null;
            int noteCount = 0, taskCount = 0;
            for (var n = 1; n <= o.CopiesPerLead; n++, sequence++)
            {
                var draft = CopyPlan.Plan(source, meta, o, new CopyContext("preview", n, sequence, now, spec.RequestedBy));
                var lead = draft.Lead;
                noteCount = content.Notes ? CopyPlan.Notes(notesOf[sourceId], 0).Count : 0;
                taskCount = copyTasks ? CopyPlan.Tasks(tasksOf[sourceId], 0, lead.ResponsibleUserId, content, now).Count : 0;
                first ??= draft;
                copies.Add(new PreviewCopyView(n, lead.Name ?? "", lead.PipelineId ?? o.TargetPipelineId, lead.StatusId ?? 0, lead.ResponsibleUserId));
                planned.Add((sourceId, n, draft, noteCount, taskCount));
            }
            if (first is null) continue;
            var embedded = first.Lead.Embedded;
            deals.Add(new PreviewDealView(
                sourceId,
                source.Name ?? "",
                copies,
                (first.Lead.CustomFieldsValues ?? []).Count(v => v.FieldId != meta.MarkerFieldId),
                first.Lead.Price,
                (embedded?.Contacts ?? []).Select(c => new PreviewContactView(c.Id, c.IsMain == true)).ToList(),
                embedded?.Companies?.FirstOrDefault()?.Id,
                first.Products.Select(p => new PreviewProductView(p.ToEntityId, p.Metadata?.CatalogId, p.Metadata?.Quantity ?? 1)).ToList(),
                content.Tags ? source.Tags.Select(t => t.Name ?? t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() : [],
                noteCount,
                taskCount,
                first.Skipped));
        }

        var allCopies = deals.SelectMany(d => d.Copies).ToList();
        var skipped = deals.SelectMany(d => d.SkippedFields).ToList();
        return new CopyPreviewView(
            deals.Count,
            allCopies.Count,
            allCopies.GroupBy(c => (c.PipelineId, c.StatusId)).Select(g => new PreviewTargetView(g.Key.PipelineId, g.Key.StatusId, g.Count()))
                .OrderByDescending(t => t.Copies).ThenBy(t => t.PipelineId).ThenBy(t => t.StatusId).ToList(),
            allCopies.GroupBy(c => c.ResponsibleUserId).Select(g => new PreviewResponsibleView(g.Key, g.Count()))
                .OrderByDescending(r => r.Copies).ThenBy(r => r.UserId).ToList(),
            skipped.Count,
            skipped.GroupBy(s => s.Code).Select(g => new PreviewSkipView(g.Key, g.Count())).OrderByDescending(s => s.Count).ThenBy(s => s.Code, StringComparer.Ordinal).ToList(),
            Estimate(spec, byId, notesOf, tasksOf, planned.Select(p => (p.Draft.Products.Count, p.Notes, p.Tasks)).ToList(), budget),
            deals);
    }

    /// <summary>
    /// The requests of a copy job that starts now (the account's metadata cached, nothing failing), step by step as
    /// <see cref="CopyJobActor"/> sends them: the sources read once, their notes and tasks when copied, the creates in
    /// chunks of whole copies, products, notes (the copied ones plus the two trace notes) and tasks per chunk, the originals.
    /// </summary>
    public static RequestEstimate Estimate(CopyJobSpec spec, IReadOnlyDictionary<long, Lead> sources, ILookup<long, Note> notes, ILookup<long, AmoTask> tasks,
        IReadOnlyList<(int Products, int Notes, int Tasks)> copies, CopyBudget budget)
    {
        var o = spec.Options;
        var client = budget.Client;
        int Pages(int items) => Math.Max(1, (items + client.MaxReadBatch - 1) / client.MaxReadBatch);
        int Writes(int items, int batch) => items == 0 ? 0 : (items + batch - 1) / batch;
        int Reads(string key, Func<long, int> itemsOf) => ReadChunks.Of(spec.SourceLeadIds, key, client).Sum(chunk => Pages(chunk.Sum(itemsOf)));
        int Chunked(Func<(int Products, int Notes, int Tasks), int> size, int batch) =>
            CopyPlan.Chunks(copies, size, budget.MaxCreateBatch).Sum(chunk => Writes(chunk.Sum(size), batch));

        var steps = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["read_leads"] = Reads(ReadChunks.LeadIds, id => sources.ContainsKey(id) ? 1 : 0),
            ["read_notes"] = o.Content.Notes ? Reads(ReadChunks.EntityIds, id => notes[id].Count()) : 0,
            ["read_tasks"] = o.Content.OpenTasks || o.Content.FinishedTasks ? Reads(ReadChunks.EntityIds, id => tasks[id].Count()) : 0,
            ["create_leads"] = CopyPlan.Chunks(copies, _ => 1, budget.MaxCreateBatch).Sum(chunk => Writes(chunk.Count, client.MaxWriteBatch)),
            ["link_products"] = o.Content.Products ? CopyPlan.Chunks(copies.Where(c => c.Products > 0), c => c.Products, budget.MaxCreateBatch).Sum(chunk => Writes(chunk.Sum(c => c.Products), client.MaxReadBatch)) : 0,
            ["create_notes"] = Chunked(c => c.Notes + 2, client.MaxWriteBatch),
            ["create_tasks"] = o.Content.OpenTasks || o.Content.FinishedTasks ? Chunked(c => c.Tasks, client.MaxWriteBatch) : 0,
            ["update_originals"] = o.Original.Mode == OriginalMode.Leave ? 0
                : CopyPlan.Chunks(spec.SourceLeadIds.Where(sources.ContainsKey), _ => 1, budget.MaxCreateBatch).Sum(chunk => Writes(chunk.Count, client.MaxWriteBatch)),
        };
        var reads = steps["read_leads"] + steps["read_notes"] + steps["read_tasks"];
        var total = steps.Values.Sum();
        var rate = Math.Max(1, budget.RequestsPerSecond);
        return new RequestEstimate(steps, reads, total - reads, total, rate, (total + rate - 1) / rate);
    }
}
