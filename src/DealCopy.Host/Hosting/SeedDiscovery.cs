using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace DealCopy.Host.Hosting;

/// <summary>
/// Seed nodes from a DNS name (<c>Akka:SeedDiscovery=dns:tasks.dealcopy:4053</c>): in Docker Swarm,
/// <c>tasks.&lt;service&gt;</c> answers every task's address, so scaling the service adds nodes without editing
/// configuration. Every node sorts the same answer, so all agree on the first seed (the one that may form a
/// new cluster alone); a node whose own address is in the answer takes it as <c>Akka:Hostname</c>.
/// </summary>
public static class SeedDiscovery
{
    public sealed record Spec(string Name, int Port);

    /// <summary><c>dns:name:port</c> → the name and port; null with a reason otherwise.</summary>
    public static (Spec? Spec, string? Error) Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (null, null);
        var parts = value.Trim().Split(':');
        if (parts.Length != 3 || !string.Equals(parts[0], "dns", StringComparison.OrdinalIgnoreCase) || parts[1].Length == 0
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return (null, $"Akka:SeedDiscovery must look like dns:tasks.dealcopy:4053, not '{value}'");
        return (new Spec(parts[1], port), null);
    }

    /// <summary>The seed addresses for <paramref name="addresses"/> (IPv4, sorted, in <paramref name="subnet"/> when given).</summary>
    public static string[] Seeds(string systemName, Spec spec, IEnumerable<IPAddress> addresses, IPNetwork? subnet) =>
        addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork && (subnet is null || subnet.Value.Contains(a)))
            .Distinct().OrderBy(a => BitConverter.ToUInt32(a.GetAddressBytes().Reverse().ToArray()))
            .Select(a => $"akka.tcp://{systemName}@{a}:{spec.Port}").ToArray();

    /// <summary>
    /// Resolves <c>Akka:SeedDiscovery</c> (retrying until this node's own address shows up, as a new Swarm task
    /// appears in DNS a moment after it starts) and sets <c>Akka:SeedNodes</c> and, unless given, <c>Akka:Hostname</c>.
    /// </summary>
    public static async Task ApplyAsync(ConfigurationManager config, CancellationToken ct = default)
    {
        var (spec, error) = Parse(config["Akka:SeedDiscovery"]);
        if (error is not null) throw new InvalidOperationException("DealCopy.Host cannot start: " + error);
        if (spec is null) return;
        var locals = NetworkInterface.GetAllNetworkInterfaces().Where(n => n.OperationalStatus != OperationalStatus.Down)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(u => (u.Address, Net: new IPNetwork(Masked(u.Address, u.PrefixLength), u.PrefixLength))).ToList();
        IPNetwork? subnet = config["Akka:SeedSubnet"] is { Length: > 0 } s ? IPNetwork.Parse(s) : null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(config.GetValue("Akka:SeedDiscoveryTimeoutSeconds", 30));
        IPAddress[] answer = [];
        (IPAddress Address, IPNetwork Net)? self = null;
        while (true)
        {
            try
            {
                answer = await Dns.GetHostAddressesAsync(spec.Name, AddressFamily.InterNetwork, ct);
            }
            catch (SocketException)
            {
                answer = [];
            }
            self = locals.Where(l => answer.Contains(l.Address) && (subnet is null || subnet.Value.Contains(l.Address))).Cast<(IPAddress, IPNetwork)?>().FirstOrDefault();
            if (self is not null || DateTime.UtcNow > deadline) break;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        if (answer.Length == 0)
            throw new InvalidOperationException($"DealCopy.Host cannot start: Akka:SeedDiscovery: {spec.Name} does not resolve to any IPv4 address.");
        // the node's own network decides which of the answers are cluster members (a Swarm task has one address per network)
        var seeds = Seeds(config["Akka:SystemName"] ?? "dealcopy", spec, answer, subnet ?? self?.Net);
        for (var i = 0; i < seeds.Length; i++) config[$"Akka:SeedNodes:{i}"] = seeds[i];
        if (string.IsNullOrEmpty(config["Akka:Hostname"]) && self is { } me) config["Akka:Hostname"] = me.Address.ToString();
        if (string.IsNullOrEmpty(config["Akka:Port"])) config["Akka:Port"] = spec.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }
}
