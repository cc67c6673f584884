using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DealCopy.Cli;

/// <summary>
/// <c>dealcopy</c>: pbm's vocabulary (<c>cluster show</c>, <c>cluster-sharding region-stats</c>…) over the
/// operator API of one node. Tables for people, <c>--json</c> for scripts; exit codes in <see cref="ExitCodes"/>.
/// </summary>
public static class CliApp
{
    public const string UrlVariable = "DEALCOPY_ADMIN_URL";
    public const string TokenVariable = "DEALCOPY_ADMIN_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:9110";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses and runs one command line; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> env)
    {
        var url = new Option<string>("--url", "-u")
        {
            Description = $"the node's operator API (its Admin:Urls); default ${UrlVariable} or {DefaultUrl}",
            Recursive = true,
            DefaultValueFactory = _ => env(UrlVariable) is { Length: > 0 } u ? u : DefaultUrl,
        };
        var token = new Option<string?>("--token", "-t")
        {
            Description = $"the node's Admin:Token; default ${TokenVariable}, or the file named by ${TokenVariable}_FILE (a Docker secret)",
            Recursive = true,
        };
        // resolved when a verb runs, not as a default value: --help must never print the token
        string? Token(ParseResult parse) => parse.GetValue(token) is { Length: > 0 } given ? given
            : env(TokenVariable) is { Length: > 0 } t ? t
            : env(TokenVariable + "_FILE") is { Length: > 0 } file && File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        var json = new Option<bool>("--json") { Description = "print the node's JSON answer (for scripts) instead of a table", Recursive = true };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the node", Recursive = true, DefaultValueFactory = _ => 30 };

        Command Verb(string name, string description, Func<Context, Task<string>> run, params Symbol[] symbols)
        {
            var command = new Command(name, description);
            foreach (var s in symbols)
            {
                if (s is Argument a) command.Arguments.Add(a);
                else if (s is Option o) command.Options.Add(o);
            }
            command.SetAction(async (parse, ct) =>
            {
                Uri? baseAddress = Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var b) && b.Scheme is "http" or "https" ? b : null;
                if (baseAddress is null)
                {
                    await stderr.WriteLineAsync($"dealcopy: --url must be an http(s) address such as {DefaultUrl}, not '{parse.GetValue(url)}'.");
                    return ExitCodes.Usage;
                }
                using var client = new AdminClient(baseAddress, Token(parse), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))));
                try
                {
                    var text = await run(new Context(client, parse, parse.GetValue(json), ct));
                    await stdout.WriteAsync(text);
                    return ExitCodes.Ok;
                }
                catch (CliFailure f)
                {
                    await stderr.WriteLineAsync("dealcopy: " + f.Message);
                    return f.ExitCode;
                }
            });
            return command;
        }

        var address = new Argument<string>("address") { Description = "a member: akka.tcp://dealcopy@host:port, or host:port (see cluster show)" };
        var region = new Argument<string>("region") { Description = "a shard region (see cluster-sharding regions); DealCopy has 'account'" };
        var accountId = new Argument<long>("account-id") { Description = "the amoCRM account id" };
        var jobId = new Argument<string>("job-id") { Description = "the job id (see account jobs)" };
        var jobAccount = new Option<long>("--account", "-a") { Description = "the amoCRM account the job belongs to", Required = true };
        var lines = new Option<int>("-n", "--lines") { Description = "how many of the node's last log lines", DefaultValueFactory = _ => 50 };

        var cluster = new Command("cluster", "cluster membership: show, leave, down, down-unreachable")
        {
            Verb("show", "the members as this node sees them: address, status, reachability, roles, leader", ClusterShow),
            Verb("leave", "ask a member to leave gracefully (its accounts move to the others)",
                c => MemberCommand(c, "leave", c.Parse.GetValue(address)!), address),
            Verb("down", "mark a member down (for a dead node; a live one shuts down)",
                c => MemberCommand(c, "down", c.Parse.GetValue(address)!), address),
            Verb("down-unreachable", "down every member this node sees as unreachable", ClusterDownUnreachable),
        };
        var sharding = new Command("cluster-sharding", "shard regions and where their entities live")
        {
            Verb("regions", "the shard regions of the cluster", ShardingRegions),
            Verb("region-stats", "entities of a region per node, over the whole cluster",
                c => RegionStats(c, c.Parse.GetValue(region)!), region),
        };
        var account = new Command("account", "an amoCRM account: its state and its jobs")
        {
            Verb("show", "whether the account is installed, its subdomain, running jobs", c => AccountShow(c, c.Parse.GetValue(accountId)), accountId),
            Verb("jobs", "the account's jobs, newest first", c => AccountJobs(c, c.Parse.GetValue(accountId)), accountId),
        };
        var job = new Command("job", "a copy job")
        {
            Verb("show", "a job's status and per-deal progress, copies and errors",
                c => JobShow(c, c.Parse.GetValue(jobAccount), c.Parse.GetValue(jobId)!), jobId, jobAccount),
        };
        var log = new Command("log", "this node's log")
        {
            Verb("peek", "the node's last log lines (held in memory, Admin:LogLines)", c => LogPeek(c, c.Parse.GetValue(lines)), lines),
        };
        var root = new RootCommand("dealcopy — operator CLI of DealCopy (pbm's vocabulary over the Host's operator API)")
        {
            cluster, sharding, account, job, log,
        };
        root.Options.Add(url);
        root.Options.Add(token);
        root.Options.Add(json);
        root.Options.Add(timeout);

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await root.Parse(args).InvokeAsync(config);
    }

    /// <summary>What a verb needs: the client, the parsed line, whether to print JSON.</summary>
    public sealed record Context(AdminClient Client, ParseResult Parse, bool Json, CancellationToken Ct);

    private static string Json(JsonNode node) => node.ToJsonString(Indented) + "\n";

    private static string Str(JsonNode? n) => n switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(),
    };

    private static string Time(JsonNode? n) =>
        n is JsonValue v && v.TryGetValue<long>(out var s) ? DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";

    private static async Task<string> ClusterShow(Context c)
    {
        var state = await c.Client.GetAsync("cluster", c.Ct);
        if (c.Json) return Json(state);
        var self = Str(state["self"]);
        var leader = Str(state["leader"]);
        var rows = state["members"]!.AsArray().Select(m => (IReadOnlyList<string?>)
        [
            Str(m!["address"]) + (Str(m["address"]) == self ? " (self)" : ""),
            Str(m["status"]),
            m["reachable"]?.GetValue<bool>() == false ? "unreachable" : "reachable",
            Str(m["address"]) == leader ? "leader" : "",
            string.Join(",", m["roles"]?.AsArray().Select(Str) ?? []),
        ]);
        return Table.Render(["ADDRESS", "STATUS", "REACHABILITY", "LEADER", "ROLES"], rows);
    }

    private static async Task<string> MemberCommand(Context c, string action, string address)
    {
        var answer = await c.Client.PostAsync("cluster/" + action, new JsonObject { ["address"] = address }, c.Ct);
        if (c.Json) return Json(answer);
        return action == "leave"
            ? $"Asked {Str(answer["address"])} to leave the cluster; its accounts move to the other nodes.\n"
            : $"Marked {Str(answer["address"])} down; its accounts restart on the other nodes.\n";
    }

    private static async Task<string> ClusterDownUnreachable(Context c)
    {
        var answer = await c.Client.PostAsync("cluster/down-unreachable", null, c.Ct);
        if (c.Json) return Json(answer);
        var downed = answer["addresses"]!.AsArray().Select(Str).ToList();
        return downed.Count == 0 ? "No member is unreachable; nothing was downed.\n" : "Marked down:\n" + string.Concat(downed.Select(a => $"  {a}\n"));
    }

    private static async Task<string> ShardingRegions(Context c)
    {
        var answer = await c.Client.GetAsync("cluster/sharding/regions", c.Ct);
        if (c.Json) return Json(answer);
        return Table.Render(["REGION"], answer["regions"]!.AsArray().Select(r => (IReadOnlyList<string?>)[Str(r)]));
    }

    private static async Task<string> RegionStats(Context c, string region)
    {
        var answer = await c.Client.GetAsync($"cluster/sharding/regions/{Uri.EscapeDataString(region)}/stats", c.Ct);
        if (c.Json) return Json(answer);
        var nodes = answer["nodes"]!.AsArray();
        var rows = nodes.Select(n => (IReadOnlyList<string?>)[Str(n!["address"]), Str(n["shards"]), Str(n["entities"]), string.Join(",", n["failed"]!.AsArray().Select(Str))]);
        return $"region {region}: {Str(answer["entities"])} entities on {nodes.Count} nodes\n" + Table.Render(["NODE", "SHARDS", "ENTITIES", "FAILED SHARDS"], rows);
    }

    private static async Task<string> AccountShow(Context c, long id)
    {
        var answer = await c.Client.GetAsync($"accounts/{id}", c.Ct);
        if (c.Json) return Json(answer);
        return Table.Render(["ACCOUNT", "INSTALLED", "SUBDOMAIN", "REFERER", "RUNNING JOBS"],
            [[Str(answer["account_id"]), Str(answer["installed"]), Str(answer["subdomain"]), Str(answer["referer"]), Str(answer["running_jobs"])]]);
    }

    private static async Task<string> AccountJobs(Context c, long id)
    {
        var answer = await c.Client.GetAsync($"accounts/{id}/jobs", c.Ct);
        if (c.Json) return Json(answer);
        var rows = answer["jobs"]!.AsArray().Select(j => (IReadOnlyList<string?>)
            [Str(j!["id"]), Str(j["status"]), $"{Str(j["done"])}/{Str(j["total"])}", Time(j["created_at"]), Time(j["finished_at"])]);
        return Table.Render(["JOB", "STATUS", "DONE", "CREATED", "FINISHED"], rows);
    }

    private static async Task<string> JobShow(Context c, long account, string id)
    {
        var job = await c.Client.GetAsync($"accounts/{account}/jobs/{Uri.EscapeDataString(id)}", c.Ct);
        if (c.Json) return Json(job);
        var head = $"job {Str(job["id"])}: {Str(job["status"])}, {Str(job["done"])}/{Str(job["total"])} done, created {Time(job["created_at"])}"
                   + (job["finished_at"] is null ? "" : $", finished {Time(job["finished_at"])}")
                   + (job["reason"] is null ? "" : $", {Str(job["reason"])}") + "\n";
        var rows = job["deals"]!.AsArray().Select(d => (IReadOnlyList<string?>)
        [
            Str(d!["source_id"]), Str(d["status"]),
            string.Join(",", d["copies"]!.AsArray().Select(x => Str(x!["lead_id"]))),
            string.Join("; ", d["errors"]!.AsArray().Select(Str)),
        ]);
        return head + Table.Render(["SOURCE", "STATUS", "COPIES", "ERRORS"], rows);
    }

    private static async Task<string> LogPeek(Context c, int n)
    {
        var answer = await c.Client.GetAsync($"log?n={n}", c.Ct);
        if (c.Json) return Json(answer);
        return string.Concat(answer["lines"]!.AsArray().Select(l =>
            $"{Str(l!["at"])} [{Str(l["level"])}] {Str(l["source"])}: {Str(l["message"])}{(l["exception"] is null ? "" : " — " + Str(l["exception"]))}\n"));
    }
}
