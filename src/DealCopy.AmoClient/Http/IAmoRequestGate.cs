namespace DealCopy.AmoClient;

/// <summary>
/// The seam for pacing: the client asks for a slot before every API request and releases it when the answer is in.
/// The client itself never rate-limits; the account's gateway (an actor) hands out slots.
/// </summary>
public interface IAmoRequestGate
{
    /// <summary>Waits for a slot for one request to the account; dispose the result when the request is done.</summary>
    Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken);
}

/// <summary>Grants every request at once.</summary>
public sealed class NoAmoRequestGate : IAmoRequestGate
{
    public static NoAmoRequestGate Instance { get; } = new();

    private static readonly Task<IDisposable> Granted = Task.FromResult<IDisposable>(new Slot());

    public Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken) => Granted;

    private sealed class Slot : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
