using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;

namespace DealCopy.Actors.Accounts;

/// <summary>Tuning of the account and job actors (bound from configuration by the Host).</summary>
public sealed record ActorSettings(
    GatewaySettings Gateway,
    TimeSpan MetadataTtl,
    TimeSpan IdlePassivation,
    TimeSpan StepTimeout,
    RetrySettings Retry,
    int SnapshotEvery)
{
    /// <summary>The account's amoCRM rate (<c>Amo:RequestsPerSecond</c>): the preview's expected duration is counted with it.</summary>
    public int RequestsPerSecond { get; init; } = 7;

    public static ActorSettings Default { get; } = new(
        new GatewaySettings(MaxBatch: 250, MaxCreateBatch: 250, MaxInFlight: 2, CallTimeout: TimeSpan.FromMinutes(2), MinCreateBatch: 50),
        MetadataTtl: TimeSpan.FromSeconds(60),
        IdlePassivation: TimeSpan.FromMinutes(2),
        StepTimeout: TimeSpan.FromMinutes(10),
        Retry: RetrySettings.Default,
        SnapshotEvery: 200);
}
