namespace DealCopy.AmoClient.Tests.Support;

/// <summary>One sandbox shared by the tests of a class that only read or add (no faults, no clock moves).</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxHarness? _harness;

    internal SandboxHarness Harness => _harness ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _harness = await SandboxHarness.StartAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
