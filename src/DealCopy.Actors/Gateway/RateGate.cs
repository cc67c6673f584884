using System.Collections.Concurrent;
using DealCopy.AmoClient;

namespace DealCopy.Actors.Gateway;

/// <summary>
/// Keeps every sliding window of one second (plus a safety margin for transit jitter) at or under the
/// account's request budget (API-NOTES §2). Every HTTP request of the account's client waits here for a slot.
/// </summary>
public sealed class SlidingWindowLimiter(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Queue<long> _granted = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    public int Limit { get; } = limit;

    public async Task AcquireAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var now = time.GetTimestamp();
                while (_granted.Count > 0 && time.GetElapsedTime(_granted.Peek(), now) >= window) _granted.Dequeue();
                if (_granted.Count < Limit)
                {
                    _granted.Enqueue(now);
                    return;
                }
                var wait = window - time.GetElapsedTime(_granted.Peek(), now);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
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

    public async Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken)
    {
        await For(accountId).AcquireAsync(cancellationToken).ConfigureAwait(false);
        return Released.Instance;
    }

    private sealed class Released : IDisposable
    {
        public static readonly Released Instance = new();

        public void Dispose()
        {
        }
    }
}
