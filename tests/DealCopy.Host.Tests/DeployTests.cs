using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using DealCopy.AmoSandbox;
using DealCopy.Host.Configuration;
using DealCopy.Host.Hosting;
using DealCopy.Host.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DealCopy.Host.Tests;

/// <summary>
/// What can be checked of the Swarm deployment without a Docker engine: the stack file and the Dockerfile name
/// only things that exist and settings the Host reads; secrets from files, seeds from DNS and the image's health
/// check work on a live Host.
/// </summary>
public sealed class DeployTests
{
    private static readonly string Root = FindRoot();
    private static string Swarm(string file) => Path.Combine(Root, "deploy", "swarm", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DealCopy.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private static YamlMappingNode Stack()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Swarm("stack.yml"))) yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node)[key];

    private static IEnumerable<string> Keys(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode m
            ? m.Children.Keys.Select(k => ((YamlScalarNode)k).Value!) : [];

    /// <summary>Short (<c>- name</c>) and long (<c>- source: name</c>) entries of a service's list.</summary>
    private static IEnumerable<string> Names(YamlMappingNode service, string key) =>
        service.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode list
            ? list.Select(n => n is YamlScalarNode s ? s.Value! : ((YamlScalarNode)((YamlMappingNode)n)["source"]).Value!)
            : [];

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        service.Children.TryGetValue(new YamlScalarNode("environment"), out var env)
            ? ((YamlMappingNode)env).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!)
            : [];

    [Fact]
    public void The_stack_defines_every_service_network_secret_volume_and_config_it_uses()
    {
        var stack = Stack();
        var services = Map(stack, "services");
        Assert.Equal(["dealcopy", "postgres", "proxy"], services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order());
        foreach (var (nameNode, node) in services.Children)
        {
            var name = ((YamlScalarNode)nameNode).Value!;
            var service = (YamlMappingNode)node;
            Assert.All(Names(service, "networks"), n => Assert.Contains(n, Keys(stack, "networks")));
            Assert.All(Names(service, "secrets"), s => Assert.Contains(s, Keys(stack, "secrets")));
            Assert.All(Names(service, "configs"), c => Assert.Contains(c, Keys(stack, "configs")));
            Assert.All(Names(service, "volumes"), v => Assert.Contains(v.Split(':')[0], Keys(stack, "volumes")));
            // a secret read from a file is one the service mounts
            foreach (var (key, value) in Environment(service).Where(kv => kv.Key.EndsWith("_FILE", StringComparison.Ordinal)))
            {
                Assert.StartsWith("/run/secrets/", value);
                Assert.True(Names(service, "secrets").Contains(value["/run/secrets/".Length..]), $"{name}: {key} reads {value}, which the service does not mount");
            }
        }
        foreach (var (_, config) in Map(stack, "configs").Children)
            Assert.True(File.Exists(Swarm(((YamlScalarNode)((YamlMappingNode)config)["file"]).Value!)), "a config file of the stack is missing");
        // the operator API stays inside: only the proxy publishes ports, and it is not on the internal network
        var networks = Map(stack, "networks");
        Assert.Equal("true", ((YamlScalarNode)Map(networks, "cluster")["internal"]).Value);
        Assert.False(((YamlMappingNode)services["dealcopy"]).Children.ContainsKey(new YamlScalarNode("ports")));
        Assert.DoesNotContain("cluster", Names((YamlMappingNode)services["proxy"], "networks"));
        Assert.Contains("9110", File.ReadAllText(Swarm("Dockerfile")));
        Assert.Matches(@"location /admin/\s+\{ return 404; \}", File.ReadAllText(Swarm("nginx.conf")));
    }

    [Fact]
    public void The_nodes_settings_in_the_stack_are_ones_the_host_reads_and_find_each_other_by_the_services_dns()
    {
        var stack = Stack();
        var dealcopy = (YamlMappingNode)Map(stack, "services")["dealcopy"];
        var env = Environment(dealcopy);
        foreach (var key in env.Keys.Where(k => !k.StartsWith("DEALCOPY_", StringComparison.Ordinal)))
            Assert.True(HostSettings.Reads(key.Replace("__", ":", StringComparison.Ordinal)), $"stack.yml sets {key}, which the Host does not read");
        foreach (var secret in new[] { "Amo__ClientSecret", "Security__TokenEncryptionKey", "Security__DpKeySecret", "Admin__Token", "Journal__Password" })
        {
            Assert.True(env.ContainsKey(secret + "_FILE"), $"{secret} should come from a Docker secret");
            Assert.False(env.ContainsKey(secret), $"{secret} must not be in the stack's environment");
        }
        var (spec, error) = SeedDiscovery.Parse(env["Akka__SeedDiscovery"]);
        Assert.Null(error);
        Assert.Equal("tasks.dealcopy", spec!.Name); // the service's own name: every replica is a seed candidate
        Assert.Equal(Dockerfile().Env["Akka__Port"], spec.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var subnet = ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)Map(Map(Map(stack, "networks"), "cluster"), "ipam")["config"])[0])["subnet"]).Value;
        Assert.Equal(subnet, env["Akka__SeedSubnet"]);
        Assert.True(int.Parse(((YamlScalarNode)Map(dealcopy, "deploy")["replicas"]).Value!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    private sealed record DockerfileFacts(Dictionary<string, string> Env, string[] Entrypoint, string Text);

    private static DockerfileFacts Dockerfile()
    {
        var text = File.ReadAllText(Swarm("Dockerfile"));
        var joined = Regex.Replace(text, @"\\\r?\n", " ");
        var env = new Dictionary<string, string>();
        foreach (Match line in Regex.Matches(joined, @"^ENV\s+(.*)$", RegexOptions.Multiline))
            foreach (Match pair in Regex.Matches(line.Groups[1].Value, @"(\S+?)=(\S*)"))
                env[pair.Groups[1].Value] = pair.Groups[2].Value;
        var entry = Regex.Match(joined, @"^ENTRYPOINT\s+(\[.*\])\s*$", RegexOptions.Multiline).Groups[1].Value;
        return new DockerfileFacts(env, JsonSerializer.Deserialize<string[]>(entry)!, joined);
    }

    [Fact]
    public void The_image_runs_the_host_as_a_non_root_user_with_settings_the_host_reads()
    {
        var image = Dockerfile();
        Assert.Equal(["dotnet", $"/app/{typeof(DealCopyApp).Assembly.GetName().Name}.dll"], image.Entrypoint);
        Assert.Contains($"dotnet publish src/{typeof(DealCopyApp).Assembly.GetName().Name}/{typeof(DealCopyApp).Assembly.GetName().Name}.csproj", image.Text);
        Assert.Matches(@"(?m)^USER \$APP_UID$", image.Text); // the ASP.NET image's non-root user
        Assert.Matches(@"(?m)^HEALTHCHECK .*CMD \[""dotnet"", ""/app/DealCopy.Host.dll"", ""healthcheck""\]", image.Text);
        Assert.Matches(@"(?m)^STOPSIGNAL SIGTERM$", image.Text);
        Assert.Contains("npm run build", image.Text); // the build stage builds the widget
        foreach (var key in image.Env.Keys)
        {
            var setting = key switch { "ASPNETCORE_URLS" => "urls", _ => key.Replace("__", ":", StringComparison.Ordinal) };
            Assert.True(key is "ASPNETCORE_HTTP_PORTS" or "DEALCOPY_ADMIN_URL" || HostSettings.Reads(setting), $"the Dockerfile sets {key}, which the Host does not read");
        }
        foreach (Match copy in Regex.Matches(image.Text, @"(?m)^COPY (?!--from)(.+) \S+$"))
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"the Dockerfile copies {source}, which is not in the repository");
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/node_modules/", ignored);
        Assert.False(HostSettings.Reads("Amo:ClientSecrte"));
    }

    [Fact]
    public async Task Secrets_come_from_files_and_a_missing_file_stops_the_start_with_its_name()
    {
        await using var sandbox = await AmoSandboxServer.StartAsync();
        var dir = Directory.CreateTempSubdirectory("dealcopy-secrets-");
        try
        {
            var token = Path.Combine(dir.FullName, "admin_token");
            await File.WriteAllTextAsync(token, "token-from-a-docker-secret\n");
            var secret = Path.Combine(dir.FullName, "amo_client_secret");
            await File.WriteAllTextAsync(secret, sandbox.Options.ClientSecret + "\n");
            await using (var host = await TestHost.StartAsync(sandbox, Path.Combine(dir.FullName, "data"), overrides: new Dictionary<string, string?>
                         {
                             ["Admin:Token"] = null, ["Admin:Token_FILE"] = token,
                             ["Amo:ClientSecret"] = null, ["Amo:ClientSecret_FILE"] = secret,
                         }))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "admin/v1/cluster");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token-from-a-docker-secret");
                using var answer = await host.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                // the client secret from the file is the one amoCRM signs widget tokens with
                using var meta = await host.CallAsync(HttpMethod.Get, "api/v1/meta", accountId: sandbox.DemoAccountId);
                Assert.Equal(HttpStatusCode.Unauthorized, meta.StatusCode); // not installed yet, but the token itself verified
                Assert.Contains("account.not_installed", await meta.Content.ReadAsStringAsync());
            }
            var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(sandbox, Path.Combine(dir.FullName, "data2"),
                overrides: new Dictionary<string, string?> { ["Security:DpKeySecret_FILE"] = Path.Combine(dir.FullName, "nope") }));
            Assert.Contains("Security:DpKeySecret", missing.Message);
            Assert.Contains("nope", missing.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Ci_tests_builds_and_pushes_the_image_by_commit_and_version_and_deploys_main_to_the_swarm()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, ".gitlab-ci.yml"))) yaml.Load(reader);
        var ci = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(["test", "build", "deploy"], ((YamlSequenceNode)ci["stages"]).Select(n => ((YamlScalarNode)n).Value));
        string Script(string job) => string.Join("\n", ((YamlSequenceNode)Map(ci, job)["script"]).Select(n => ((YamlScalarNode)n).Value));
        string Stage(string job) => ((YamlScalarNode)Map(ci, job)["stage"]).Value!;

        Assert.Equal("test", Stage("test"));
        Assert.Contains("./test.sh", Script("test"));
        Assert.Contains("widget/dist/widget.zip", ((YamlSequenceNode)Map(Map(ci, "test"), "artifacts")["paths"]).Select(n => ((YamlScalarNode)n).Value));

        Assert.Equal("build", Stage("build-image"));
        var build = Script("build-image");
        Assert.Contains("docker build -f deploy/swarm/Dockerfile", build);
        Assert.Contains("$IMAGE:$CI_COMMIT_SHA", build);
        Assert.Contains("$IMAGE:$VERSION", build);
        Assert.Matches(@"<Version>[0-9]+\.[0-9]+\.[0-9]+</Version>", File.ReadAllText(Path.Combine(Root, "Directory.Build.props"))); // where VERSION comes from

        Assert.Equal("deploy", Stage("deploy-swarm"));
        Assert.Contains("docker stack deploy --with-registry-auth --prune -c deploy/swarm/stack.yml dealcopy", Script("deploy-swarm"));
        Assert.Contains("DEALCOPY_IMAGE=\"$IMAGE:$CI_COMMIT_SHA\"", Script("deploy-swarm")); // the stack's image variable
        Assert.Contains("DEALCOPY_IMAGE", File.ReadAllText(Swarm("stack.yml")));
        var rule = ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)Map(ci, "deploy-swarm")["rules"])[0])["if"]).Value;
        Assert.Equal("$CI_COMMIT_BRANCH == \"main\"", rule);
    }

    [Theory]
    [InlineData("dns:tasks.dealcopy:4053", "tasks.dealcopy", 4053, null)]
    [InlineData("DNS:localhost:1", "localhost", 1, null)]
    [InlineData("tasks.dealcopy:4053", null, 0, "dns:tasks.dealcopy:4053")]
    [InlineData("dns:tasks.dealcopy", null, 0, "dns:tasks.dealcopy:4053")]
    [InlineData("dns::4053", null, 0, "dns:tasks.dealcopy:4053")]
    [InlineData("dns:x:70000", null, 0, "dns:tasks.dealcopy:4053")]
    public void Seed_discovery_settings_parse_or_say_what_they_should_look_like(string value, string? name, int port, string? hint)
    {
        var (spec, error) = SeedDiscovery.Parse(value);
        Assert.Equal(name, spec?.Name);
        if (name is not null) Assert.Equal(port, spec!.Port);
        if (hint is null) Assert.Null(error);
        else Assert.Contains(hint, error);
    }

    [Fact]
    public void Every_node_orders_the_answer_the_same_and_keeps_the_cluster_network_only()
    {
        var spec = new SeedDiscovery.Spec("tasks.dealcopy", 4053);
        var answer = new[] { "10.77.0.12", "10.0.5.3", "10.77.0.9", "10.77.0.10", "10.77.0.9" }.Select(IPAddress.Parse);
        Assert.Equal(["akka.tcp://dealcopy@10.77.0.9:4053", "akka.tcp://dealcopy@10.77.0.10:4053", "akka.tcp://dealcopy@10.77.0.12:4053"],
            SeedDiscovery.Seeds("dealcopy", spec, answer, IPNetwork.Parse("10.77.0.0/24")));
        Assert.Equal(4, SeedDiscovery.Seeds("dealcopy", spec, answer, null).Length);
    }

    [Fact]
    public async Task Nodes_find_each_other_through_a_dns_name_resolved_on_loopback()
    {
        await using var sandbox = await AmoSandboxServer.StartAsync();
        var postgres = PostgresDatabase.Create();
        var port = FreePort();
        var discovery = new Dictionary<string, string?> { ["Akka:SeedDiscovery"] = $"dns:localhost:{port}", ["Akka:SeedDiscoveryTimeoutSeconds"] = "5" };
        var dirs = new[] { Temp(), Temp() };
        // the first node's own address is the only answer: it is the first seed and forms the cluster
        await using var first = await TestHost.StartAsync(sandbox, dirs[0], postgres, new Dictionary<string, string?>(discovery) { ["Akka:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal($"akka.tcp://dealcopy@127.0.0.1:{port}", (await first.AdminGetAsync("cluster"))["self"]!.GetValue<string>());
        // a second node with the same setting (and another port) joins it, nothing else configured
        await using var second = await TestHost.StartAsync(sandbox, dirs[1], postgres, new Dictionary<string, string?>(discovery) { ["Akka:Port"] = "0" });
        await Poll.UntilAsync(() => second.AdminGetAsync("cluster"), c => c["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Up") == 2,
            TimeSpan.FromSeconds(30), c => "the second node did not join through DNS: " + c.ToJsonString());

        // the image's HEALTHCHECK command against a live node, and against none
        using var output = new StringWriter();
        Assert.Equal(0, await DealCopyApp.HealthCheckAsync(second.BaseAddress.ToString(), output));
        Assert.Equal(1, await DealCopyApp.HealthCheckAsync($"http://127.0.0.1:{FreePort()}", output));
        await second.StopAsync();
        await first.StopAsync();
        foreach (var d in dirs) try { Directory.Delete(d, recursive: true); } catch (IOException) { }
    }

    private static string Temp() => Path.Combine(Path.GetTempPath(), "dealcopy-dns-" + Guid.NewGuid().ToString("N"));

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
