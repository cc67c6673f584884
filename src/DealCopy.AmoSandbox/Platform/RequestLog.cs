using System.Collections.Concurrent;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>One request the sandbox answered (or dropped).</summary>
public sealed record RequestLogEntry(
    long Id, long? AccountId, string Method, string Path, string Query, int Status,
    long AtMs, long RequestBytes, long ResponseBytes, string? Fault);

/// <summary>Bounded in-memory log of every request, readable through the control API.</summary>
public sealed class RequestLog(int capacity)
{
    private readonly ConcurrentQueue<RequestLogEntry> _entries = new();
    private long _nextId;

    public void Add(long? accountId, string method, string path, string query, int status, long atMs, long requestBytes, long responseBytes, string? fault)
    {
        _entries.Enqueue(new RequestLogEntry(Interlocked.Increment(ref _nextId), accountId, method, path, query, status, atMs, requestBytes, responseBytes, fault));
        while (_entries.Count > capacity && _entries.TryDequeue(out _)) { }
    }

    public IReadOnlyList<RequestLogEntry> Read(long? accountId, long afterId) =>
        _entries.Where(e => e.Id > afterId && (accountId is null || e.AccountId == accountId)).ToList();

    public void Clear() => _entries.Clear();
}
