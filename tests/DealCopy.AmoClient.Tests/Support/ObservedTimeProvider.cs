using Microsoft.Extensions.Time.Testing;

namespace DealCopy.AmoClient.Tests.Support;

/// <summary>A fake clock that also tells when someone starts waiting on it, so a test can move time exactly then.</summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly List<(TimeSpan Due, TaskCompletionSource Started)> _waiters = [];
    private readonly List<TimeSpan> _created = [];

    public ObservedTimeProvider() : base(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_waiters)
        {
            _created.Add(dueTime);
            foreach (var w in _waiters.Where(w => w.Due == dueTime))
            {
                w.Started.TrySetResult();
            }
        }
        return timer;
    }

    /// <summary>Completes when a timer of exactly <paramref name="due"/> has been created (deadline: 10 s of real time).</summary>
    public Task WaitForTimerAsync(TimeSpan due)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_created.Contains(due))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((due, started));
        }
        return started.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
