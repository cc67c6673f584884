using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DealCopy.AmoSandbox;
using Microsoft.Diagnostics.NETCore.Client;

namespace DealCopy.Bench;

/// <summary>
/// The built Host (<c>dotnet src/DealCopy.Host/bin/&lt;Configuration&gt;/net10.0/DealCopy.Host.dll</c>) as an OS process of
/// its own, configured through environment variables as an operator would, so that its memory is its own (P4) and
/// several can form a cluster (P5). The sandbox stays in the bench process.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private HostProcess(string name, int httpPort, int akkaPort, Dictionary<string, string?> settings)
    {
        Name = name;
        AkkaPort = akkaPort;
        _settings = settings;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new("Bearer", "bench");
        Api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The widget's view of this node (no operator token: calls carry their own X-Auth-Token).</summary>
    public HttpClient Api { get; }

    public string Name { get; }
    public int AkkaPort { get; }
    public HttpClient Http { get; }
    public string Address => $"akka.tcp://dealcopy@127.0.0.1:{AkkaPort}";
    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Name} was never started");
    public bool Running => _process is { HasExited: false };
    public string Output => $"--- {Name} ---\n" + string.Join('\n', _output);

    public static HostProcess Create(string name, AmoSandboxServer sandbox, int httpPort, int akkaPort, IReadOnlyList<string> seeds, string? postgres,
        IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["Amo:ClientId"] = sandbox.Options.ClientId,
            ["Amo:ClientSecret"] = sandbox.Options.ClientSecret,
            ["Amo:RedirectUri"] = sandbox.Options.RedirectUri,
            ["Amo:BaseUrl"] = sandbox.BaseAddress.ToString(),
            ["Security:TokenEncryptionKey"] = "bench-token-encryption-key-0123456789",
            ["Security:DpKeySecret"] = "bench-dp-key-secret-0123456789",
            ["Admin:Token"] = "bench",
            ["Data:Path"] = Path.Combine(Path.GetTempPath(), "dealcopy-bench-node-" + Guid.NewGuid().ToString("N")),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Akka:Hostname"] = "127.0.0.1",
            ["Akka:Port"] = akkaPort.ToString(CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < seeds.Count; i++) settings[$"Akka:SeedNodes:{i}"] = seeds[i];
        if (postgres is not null)
        {
            settings["Journal:Provider"] = "PostgreSQL";
            settings["Journal:ConnectionString"] = postgres;
        }
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        return new HostProcess(name, httpPort, akkaPort, settings);
    }

    public string DataPath => _settings["Data:Path"]!;

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", [HostDll])
        {
            WorkingDirectory = Path.GetDirectoryName(HostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in _settings) start.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    public async Task WaitReadyAsync(TimeSpan within)
    {
        var by = DateTime.UtcNow + within;
        while (true)
        {
            if (!Running) throw new InvalidOperationException($"{Name} exited before it was ready\n{Output}");
            try
            {
                using var r = await Http.GetAsync("healthz/ready");
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > by) throw new TimeoutException($"{Name} was not ready within {within}\n{Output}");
            await Task.Delay(100); // poll interval
        }
    }

    /// <summary>A graceful stop as Swarm or systemd does it (SIGTERM): the node leaves the cluster and hands its shards over.</summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))!) await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(within);
        await _process!.WaitForExitAsync(deadline.Token);
    }

    public async Task<JsonNode?> GetAsync(string path)
    {
        using var r = await Http.GetAsync(path);
        return r.IsSuccessStatusCode ? JsonNode.Parse(await r.Content.ReadAsStringAsync()) : null;
    }

    /// <summary>Installs through the operator API; a 503 (the account did not answer in time: "repeat the request") is repeated, as an operator would.</summary>
    public async Task InstallAsync(BenchAccount account)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var answer = await Http.PostAsJsonAsync("admin/v1/accounts", new { account_id = account.Id, referer = account.Referer, access_token = account.Token });
            if (answer.IsSuccessStatusCode) return;
            if ((int)answer.StatusCode != 503 || attempt >= 5)
                throw new InvalidOperationException($"install of {account.Id} on {Name} failed: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            Interlocked.Increment(ref _retries);
        }
    }

    private int _retries;

    /// <summary>How many calls were repeated after a 503 (reported with the figure).</summary>
    public int Retries => _retries;

    public void CountRetry() => Interlocked.Increment(ref _retries);

    /// <summary>Resident memory of the process (VmRSS), in bytes.</summary>
    public long RssBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The samples of /metrics summed by metric name (labels dropped).</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        var text = await Http.GetStringAsync("metrics");
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var nameEnd = line.IndexOfAny(['{', ' ']);
            var valueStart = line.LastIndexOf('}') is var b and >= 0 ? b + 1 : nameEnd;
            var parts = line[valueStart..].Trim().Split(' ');
            if (nameEnd <= 0 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var name = line[..nameEnd];
            sums[name] = sums.GetValueOrDefault(name) + value;
        }
        return sums;
    }

    /// <summary>
    /// A full blocking GC in the Host, induced as dotnet-gcdump induces it (an EventPipe session with the runtime's
    /// GCHeapCollect keyword), so that the heap read afterwards holds live objects only. The gen2 count before and after.
    /// </summary>
    public async Task<(double Before, double After)> FullGcAsync()
    {
        var before = (await MetricsAsync()).GetValueOrDefault("dotnet_gc_collections_total");
        var client = new DiagnosticsClient(Pid);
        using var session = client.StartEventPipeSession(new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x800000 | 0x1), requestRundown: false);
        var drain = Task.Run(() => session.EventStream.CopyTo(Stream.Null));
        await Task.Delay(3000); // the induced GC runs when the session starts; let it finish
        await session.StopAsync(CancellationToken.None);
        await drain;
        return (before, (await MetricsAsync()).GetValueOrDefault("dotnet_gc_collections_total"));
    }

    /// <summary>Bytes the Host's data directory holds (the SQLite journal when there is no PostgreSQL).</summary>
    public long DataBytes() => Directory.Exists(DataPath) ? new DirectoryInfo(DataPath).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Api.Dispose();
        if (Running)
        {
            try { _process!.Kill(); } catch (InvalidOperationException) { }
            _process!.WaitForExit(10_000);
        }
        _process?.Dispose();
        try { Directory.Delete(DataPath, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }

    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners) l.Dispose();
        }
    }

    /// <summary>The Host the bench's build made (run.sh builds the bench, which builds the Host).</summary>
    public static string HostDll { get; } = FindHostDll();

    private static string FindHostDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration) = (bin.Name, bin.Parent!.Name);
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DealCopy.sln"))) root = root.Parent;
        var dll = Path.Combine(root?.FullName ?? "?", "src", "DealCopy.Host", "bin", configuration, tfm, "DealCopy.Host.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"the built Host is not at {dll}: build the bench first (bench/run.sh does)");
    }
}
