using System.Collections.Concurrent;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>
/// One request the sandbox answered (or dropped). <see cref="AtMs"/> is when it arrived, as the rate limit
/// counts it; <see cref="ReceivedMs"/> and <see cref="AnsweredMs"/> bound it with the latency (Sandbox:LatencyMs).
/// </summary>
public sealed record RequestLogEntry(
    long Id, long? AccountId, string Method, string Path, string Query, int Status,
    long AtMs, long RequestBytes, long ResponseBytes, string? Fault, long ReceivedMs = 0, long AnsweredMs = 0);

/// <summary>Bounded in-memory log of every request, readable through the control API.</summary>
public sealed class RequestLog(int capacity)
{
    private readonly ConcurrentQueue<RequestLogEntry> _entries = new();
    private long _nextId;

    public void Add(long? accountId, string method, string path, string query, int status, long atMs, long requestBytes, long responseBytes, string? fault, long receivedMs, long answeredMs)
    {
        _entries.Enqueue(new RequestLogEntry(Interlocked.Increment(ref _nextId), accountId, method, path, query, status, atMs, requestBytes, responseBytes, fault, receivedMs, answeredMs));
        while (_entries.Count > capacity && _entries.TryDequeue(out _)) { }
    }

    public IReadOnlyList<RequestLogEntry> Read(long? accountId, long afterId) =>
        _entries.Where(e => e.Id > afterId && (accountId is null || e.AccountId == accountId)).ToList();

    public void Clear() => _entries.Clear();
}
