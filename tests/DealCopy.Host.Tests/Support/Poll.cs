namespace DealCopy.Host.Tests.Support;

/// <summary>Awaits what a user would see, with a deadline: probes on a timer until the answer is right.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, Func<T, string> failure)
    {
        var deadline = DateTime.UtcNow + within;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure(value));
            await timer.WaitForNextTickAsync();
        }
    }
}
