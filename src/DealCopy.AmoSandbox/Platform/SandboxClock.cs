namespace DealCopy.AmoSandbox.Platform;

/// <summary>The sandbox's wall clock: real time plus an offset that the control API can move forward.</summary>
public sealed class SandboxClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private long _offsetTicks;

    public SandboxClock(TimeProvider? inner = null) => _inner = inner ?? System;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public long UnixNow => GetUtcNow().ToUnixTimeSeconds();

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "the sandbox clock only moves forward");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
