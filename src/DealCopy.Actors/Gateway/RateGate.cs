using System.Collections.Concurrent;
using DealCopy.AmoClient;

namespace DealCopy.Actors.Gateway;

/// <summary>
/// Keeps every sliding window of one second at or under the account's request budget (API-NOTES §2),
/// as amoCRM counts it: by when a request <i>arrived</i>. We cannot see that moment, only that it lies
/// between sending and the answer, so a request holds its slot from the grant until one window after it
/// ended (its answer, or its failure). However slow the network or our own process, amoCRM can then never
/// see one request too many in a second. Every HTTP request of the account's client waits here for a slot.
/// </summary>
public sealed class SlidingWindowLimiter(int limit, TimeSpan window, TimeProvider time)
{
    private readonly List<Slot> _slots = [];
    private readonly SemaphoreSlim _turn = new(1, 1);
    private TaskCompletionSource _ended = NewSignal();

    public int Limit { get; } = limit;

    /// <summary>Waits for a slot; dispose the answer when the request has ended.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Task wait;
                lock (_slots)
                {
                    var now = time.GetTimestamp();
                    Purge(now);
                    if (_slots.Count < Limit)
                    {
                        var slot = new Slot(this);
                        _slots.Add(slot);
                        return slot;
                    }
                    // every slot taken: the earliest ended request leaves the window first; if all are still
                    // in flight, nothing can leave before one of them ends
                    wait = EarliestExpiry(now) is { } expiry
                        ? Task.Delay(expiry > TimeSpan.Zero ? expiry : TimeSpan.FromMilliseconds(1), time, ct)
                        : _ended.Task.WaitAsync(ct);
                }
                await wait.ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// How many requests could start right now, and how long until one more could (a whole window when
    /// every slot is still in flight: the caller also learns when its own requests end).
    /// </summary>
    public (int Free, TimeSpan NextIn) Peek()
    {
        lock (_slots)
        {
            var now = time.GetTimestamp();
            Purge(now);
            var free = Limit - _slots.Count;
            var next = free > 0 ? TimeSpan.Zero : EarliestExpiry(now) ?? window;
            return (free, next > TimeSpan.Zero ? next : TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Counts the whole budget as used by requests that ended just now: the account just arrived on this
    /// node (a restart, a move from another node, waking after idling), and wherever it ran before may have
    /// used its last second fully. Nothing starts before one window has passed.
    /// </summary>
    public void AssumeFull()
    {
        lock (_slots)
        {
            var now = time.GetTimestamp();
            foreach (var slot in _slots.Where(s => s.EndedAt is not null)) slot.EndedAt = now; // in-flight ones stay in flight
            while (_slots.Count < Limit) _slots.Add(new Slot(this) { EndedAt = now });
        }
    }

    private void End(Slot slot)
    {
        TaskCompletionSource ended;
        lock (_slots)
        {
            if (slot.EndedAt is not null) return;
            slot.EndedAt = time.GetTimestamp();
            ended = _ended;
            _ended = NewSignal();
        }
        ended.TrySetResult();
    }

    private TimeSpan? EarliestExpiry(long now)
    {
        TimeSpan? earliest = null;
        foreach (var s in _slots)
        {
            if (s.EndedAt is not { } ended) continue;
            var left = window - time.GetElapsedTime(ended, now);
            if (earliest is null || left < earliest) earliest = left;
        }
        return earliest;
    }

    private void Purge(long now) =>
        _slots.RemoveAll(s => s.EndedAt is { } ended && time.GetElapsedTime(ended, now) >= window);

    // The waiter continues on the thread that ended a request, before Dispose returns: it has then already
    // armed its timer for the freed slot (no lost wake-up, and deterministic under a fake clock).
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.None);

    private sealed class Slot(SlidingWindowLimiter owner) : IDisposable
    {
        public long? EndedAt { get; set; }

        public void Dispose() => owner.End(this);
    }
}

/// <summary>
/// The node's request gate for the amoCRM client: one limiter per account. Sharding keeps each account
/// on one node, so this is the account's whole budget cluster-wide (ARCHITECTURE §3.1).
/// </summary>
public sealed class AccountRequestGates(int requestsPerSecond, TimeSpan margin, TimeProvider time) : IAmoRequestGate
{
    private readonly ConcurrentDictionary<long, SlidingWindowLimiter> _limiters = new();

    public SlidingWindowLimiter For(long accountId) =>
        _limiters.GetOrAdd(accountId, _ => new SlidingWindowLimiter(requestsPerSecond, TimeSpan.FromSeconds(1) + margin, time));

    public Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken) =>
        For(accountId).AcquireAsync(cancellationToken);
}
