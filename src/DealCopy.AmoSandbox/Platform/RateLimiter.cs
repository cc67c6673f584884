namespace DealCopy.AmoSandbox.Platform;

/// <summary>The outcome of asking for a request slot.</summary>
public enum RateDecision { Allowed, Limited, Blocked }

/// <summary>
/// amoCRM's per-account limit (API-NOTES §2): at most N requests in any sliding one-second window;
/// repeated excess blocks the account (every request 403) for a while.
/// </summary>
public sealed class RateLimiter(SandboxOptions options, SandboxClock clock)
{
    private sealed class Window
    {
        public readonly Queue<long> Accepted = new();
        public readonly Queue<DateTimeOffset> Violations = new();
        public DateTimeOffset? BlockedUntil;
    }

    private readonly Dictionary<long, Window> _windows = [];
    private readonly TimeProvider _monotonic = TimeProvider.System;

    public (RateDecision Decision, int RetryAfterSeconds) Enter(long accountId)
    {
        lock (_windows)
        {
            if (!_windows.TryGetValue(accountId, out var w)) _windows[accountId] = w = new Window();
            var now = clock.GetUtcNow();
            if (w.BlockedUntil is { } until)
            {
                if (now < until) return (RateDecision.Blocked, (int)Math.Ceiling((until - now).TotalSeconds));
                // A block outlasts the one-second window: whatever was admitted before it has left the window,
                // even when the block ended by the control API moving the sandbox clock.
                w.BlockedUntil = null;
                w.Violations.Clear();
                w.Accepted.Clear();
            }

            var ts = _monotonic.GetTimestamp();
            while (w.Accepted.Count > 0 && _monotonic.GetElapsedTime(w.Accepted.Peek(), ts) >= TimeSpan.FromSeconds(1))
                w.Accepted.Dequeue();

            if (w.Accepted.Count < options.RequestsPerSecond)
            {
                w.Accepted.Enqueue(ts);
                return (RateDecision.Allowed, 0);
            }

            w.Violations.Enqueue(now);
            while (w.Violations.Count > 0 && now - w.Violations.Peek() > TimeSpan.FromSeconds(options.BlockWindowSeconds))
                w.Violations.Dequeue();
            if (w.Violations.Count >= options.BlockAfterViolations)
            {
                w.BlockedUntil = now.AddSeconds(options.BlockSeconds);
                return (RateDecision.Blocked, options.BlockSeconds);
            }
            var wait = TimeSpan.FromSeconds(1) - _monotonic.GetElapsedTime(w.Accepted.Peek(), ts);
            return (RateDecision.Limited, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
        }
    }

    public void Unblock(long accountId)
    {
        lock (_windows) _windows.Remove(accountId);
    }

    public void Clear()
    {
        lock (_windows) _windows.Clear();
    }
}
