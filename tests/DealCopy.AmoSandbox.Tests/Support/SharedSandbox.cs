namespace DealCopy.AmoSandbox.Tests.Support;

/// <summary>One sandbox for a test class whose tests only add their own entities and never touch limits or time.</summary>
public sealed class SharedSandbox : IAsyncLifetime
{
    public Amo Amo { get; private set; } = null!;

    public async Task InitializeAsync() => Amo = await Amo.StartAsync();

    public async Task DisposeAsync() => await Amo.DisposeAsync();
}
