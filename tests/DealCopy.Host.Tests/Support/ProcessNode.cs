using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DealCopy.AmoSandbox;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// The built Host (<c>dotnet DealCopy.Host.dll</c>) as an OS process of its own on fixed loopback ports, configured
/// through environment variables as an operator would. It can crash (SIGKILL: no leave, no handover), stop
/// gracefully (SIGTERM: it leaves the cluster and hands its accounts over) and start again on the same address.
/// </summary>
public sealed class ProcessNode : HostClient, IAsyncDisposable
{
    private const int OutputLines = 400;
    private readonly Dictionary<string, string?> _settings;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private ProcessNode(string name, AmoSandboxServer sandbox, int httpPort, int akkaPort, Dictionary<string, string?> settings)
        : base(sandbox, new Uri($"http://127.0.0.1:{httpPort}/"))
    {
        Name = name;
        AkkaPort = akkaPort;
        _settings = settings;
    }

    public string Name { get; }
    public int AkkaPort { get; }

    /// <summary>This node's cluster address, as the other members name it.</summary>
    public string Address => $"akka.tcp://dealcopy@127.0.0.1:{AkkaPort}";

    public bool Running => _process is { HasExited: false };

    /// <summary>The exit code of the process that ran last (after it exited).</summary>
    public int ExitCode => _process is { HasExited: true } p ? p.ExitCode : throw new InvalidOperationException($"{Name} has not exited");

    /// <summary>The last lines the process printed (Serilog at Warning), for failure messages.</summary>
    public string Output => $"--- {Name} ({Address}) ---\n" + string.Join('\n', _output);

    /// <summary>The Host that the solution's build made, next to this test assembly's configuration.</summary>
    public static string HostDll { get; } = FindHostDll();

    /// <summary>A node on <paramref name="httpPort"/> (HTTP: widget and operator API) and <paramref name="akkaPort"/> (cluster).</summary>
    public static ProcessNode Create(string name, AmoSandboxServer sandbox, string postgres, int httpPort, int akkaPort, IReadOnlyList<string> seeds,
        IDictionary<string, string?>? overrides = null)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "dealcopy-node-" + Guid.NewGuid().ToString("N"));
        var settings = Settings(sandbox, dataPath, postgres);
        settings["urls"] = $"http://127.0.0.1:{httpPort}";
        settings["Akka:Hostname"] = "127.0.0.1";
        settings["Akka:Port"] = akkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < seeds.Count; i++) settings[$"Akka:SeedNodes:{i}"] = seeds[i];
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        return new ProcessNode(name, sandbox, httpPort, akkaPort, settings);
    }

    /// <summary>Launches the process (again, after a crash or a stop: same ports, same journal).</summary>
    public void Start()
    {
        if (Running) throw new InvalidOperationException($"{Name} is already running");
        _process?.Dispose();
        var start = new ProcessStartInfo("dotnet", [HostDll])
        {
            WorkingDirectory = Path.GetDirectoryName(HostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in _settings) start.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        start.Environment["DOTNET_gcServer"] = "0"; // three nodes and the test share two cores
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        Keep($"[{DateTime.UtcNow:HH:mm:ss.fff}] starting");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > OutputLines) _output.TryDequeue(out _);
    }

    /// <summary>Starts the process and waits until it is ready (Up in the cluster).</summary>
    public async Task StartAsync(TimeSpan within)
    {
        Start();
        await WaitUntilReadyAsync(within);
    }

    /// <summary>Waits for <c>/healthz/ready</c>; fails at once with the node's output if the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan within)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        var ready = WaitReadyAsync(within);
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(ready, exited) == exited)
            throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before it was ready\n{Output}");
        try
        {
            await ready;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + Output, e);
        }
    }

    /// <summary>A crash: SIGKILL, the node neither leaves the cluster nor hands anything over.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        Keep($"[{DateTime.UtcNow:HH:mm:ss.fff}] kill -9");
        process.Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A graceful stop, as Swarm or systemd stops a service: SIGTERM, then the node leaves the cluster and exits.</summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        await SignalAsync("TERM");
        await WaitForExitAsync(within);
    }

    /// <summary>Freezes the process (SIGSTOP): to the others it looks dead, but it is not.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>Lets a frozen process go on (SIGCONT) where it stopped.</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        Keep($"[{DateTime.UtcNow:HH:mm:ss.fff}] kill -{signal}");
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {process.Id} failed");
    }

    /// <summary>Waits until the process has exited (by itself, after a signal, or after being downed).</summary>
    public async Task WaitForExitAsync(TimeSpan within)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        using var deadline = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {within}\n{Output}");
        }
        Keep($"[{DateTime.UtcNow:HH:mm:ss.fff}] exited with {process.ExitCode}");
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Running)
        {
            // a frozen process dies of SIGKILL too
            try { _process!.Kill(); } catch (InvalidOperationException) { } // exited meanwhile
            _process!.WaitForExit(10_000);
        }
        _process?.Dispose();
        if (_settings["Data:Path"] is { } data)
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }

    /// <summary><paramref name="count"/> distinct ports that are free on loopback now (each node keeps its ports across restarts).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start(); // all held at once: no port is handed out twice
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners) l.Dispose();
        }
    }

    private static string FindHostDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../bin/<Configuration>/<tfm>
        var (tfm, configuration) = (bin.Name, bin.Parent!.Name);
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DealCopy.sln"))) root = root.Parent;
        var dll = Path.Combine(root?.FullName ?? "?", "src", "DealCopy.Host", "bin", configuration, tfm, "DealCopy.Host.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"the built Host is not at {dll}: build the solution first (dotnet build DealCopy.sln -c {configuration})");
    }
}
