using DealCopy.AmoSandbox.Model;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>The singletons one sandbox instance is made of.</summary>
public sealed class SandboxRuntime
{
    public SandboxRuntime(SandboxOptions options, SandboxClock clock)
    {
        Options = options;
        Clock = clock;
        State = new SandboxState(options, clock);
        Log = new RequestLog(options.RequestLogCapacity);
        Faults = new FaultInjector(options.Seed);
        Rate = new RateLimiter(options, clock);
    }

    public SandboxOptions Options { get; }
    public SandboxClock Clock { get; }
    public SandboxState State { get; }
    public RequestLog Log { get; }
    public FaultInjector Faults { get; }
    public RateLimiter Rate { get; }
}
