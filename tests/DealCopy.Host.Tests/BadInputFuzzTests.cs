using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary>
/// Property-based bad input over real HTTP on every public and operator endpoint: wrong types, huge and negative
/// numbers, 5,000 deal ids, deep nesting, invalid UTF-8, oversized bodies, wrong content types, path tricks. Each
/// answer is a 4xx problem+json (or amoCRM's documented plain answers), never a 5xx or a dropped connection; the
/// sandbox sees no write; the Host keeps answering.
/// </summary>
public sealed class BadInputFuzzTests : HostTestBase
{
    private const long DemoAccount = 31000001;
    private const int Iterations = 1500;
    private string _dpKey = "";

    protected override IDictionary<string, string?>? HostSettings => new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "1048576" };

    /// <summary>What an answer may be.</summary>
    private enum Expect
    {
        /// <summary>400 problem+json whose refusals name every field in <see cref="Probe.Fields"/>.</summary>
        RefusedNamingFields,
        /// <summary>Any 4xx problem+json.</summary>
        Refused,
        /// <summary>4xx problem+json, or amoCRM's documented plain answers (DP "ignored", the install page).</summary>
        RefusedOrPlain,
    }

    private enum Auth { None, Widget, ForgedWidget, Admin, WrongAdmin }

    private sealed record Probe(string Method, string Path, Auth Auth, string? ContentType, byte[]? Body, Expect Expect, string[] Fields, bool Chunked = false)
    {
        public override string ToString() =>
            $"{Method} {Path} auth={Auth} type={ContentType} chunked={Chunked} body={(Body is null ? "-" : Body.Length > 400 ? $"{Body.Length} bytes: " + Encoding.UTF8.GetString(Body, 0, 200) + "…" : Encoding.UTF8.GetString(Body))} fields=[{string.Join(",", Fields)}]";
    }

    // ---- values ----

    /// <summary>One of the given constants.</summary>
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[0, 12],
        Pick("", " ", "null", "true", "0", "-1", "1e309", "leave", "keep", "../../etc/passwd", "<script>", "\u0000", "Привет", "😀", "{name}", new string('x', 300)));

    private static readonly Gen<JsonNode> Number = Gen.OneOf<JsonNode>(
        Gen.Long.Select(n => (JsonNode)JsonValue.Create(n)),
        Gen.Int[-5, 0].Select(n => (JsonNode)JsonValue.Create(n)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode)JsonValue.Create(d) : JsonValue.Create(0.5)),
        Pick("1e300", "-1e300", "9223372036854775808", "-9223372036854775809", "1.5", "-0", "0.0000001", "123456789012345678901234567890")
            .Select(raw => JsonNode.Parse(raw)!));

    /// <summary>Any JSON value of one of the given kinds, up to a small depth.</summary>
    private static Gen<JsonNode?> ValueOf(params string[] kinds) => Gen.OneOf(kinds.Select(k => k switch
    {
        "string" => Text.Select(s => (JsonNode?)JsonValue.Create(s)),
        "number" => Number.Select(n => (JsonNode?)n),
        "boolean" => Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        "null" => Gen.Const<JsonNode?>(() => null),
        "array" => Gen.OneOf(Text.Select(s => (JsonNode?)JsonValue.Create(s)), Number.Select(n => (JsonNode?)n)).Array[0, 4]
            .Select(items => (JsonNode?)new JsonArray(items.ToArray())),
        "object" => Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 8], Number, (k, v) => (JsonNode?)new JsonObject { [k] = v }),
        _ => throw new ArgumentOutOfRangeException(nameof(kinds), k, null),
    }).ToArray());

    private static readonly string[] AllKinds = ["string", "number", "boolean", "array", "object"];

    /// <summary>A value of any kind but <paramref name="expected"/> (null too when the field is required).</summary>
    private static Gen<JsonNode?> WrongType(string expected, bool required = false) =>
        ValueOf([.. AllKinds.Where(k => k != expected && !(expected == "string or array" && k is "string" or "array")), .. required ? new[] { "null" } : []]);

    private static string Nest(int depth) => new string('[', depth) + "1" + new string(']', depth);

    // ---- POST /api/v1/copies bodies that must be refused naming each broken field ----

    /// <summary>A valid body whose deals do not exist (should a mutation still be valid, the account answers 404 and writes nothing).</summary>
    private static JsonObject ValidCopy() => new()
    {
        ["lead_ids"] = new JsonArray(999_000_001L, 999_000_002L),
        ["copies"] = 2,
        ["target"] = new JsonObject { ["pipeline_id"] = 7100002, ["status_id"] = 61000007 },
        ["responsible"] = new JsonObject { ["mode"] = "round_robin", ["user_ids"] = new JsonArray(5000002, 5000003) },
        ["name_template"] = "{name} #{n}",
        ["copy"] = new JsonObject { ["fields"] = "all", ["notes"] = true },
        ["original"] = new JsonObject { ["action"] = "move", ["pipeline_id"] = 7100001, ["status_id"] = 61000003 },
        ["idempotency_key"] = "fuzz",
    };

    /// <summary>One change that makes a field wrong: (top-level key it touches, the field the refusal must name, apply).</summary>
    private sealed record Mutation(string Key, string Field, Action<JsonObject> Apply);

    private static Mutation Set(string key, string field, JsonNode? value) =>
        new(key, field, body =>
        {
            var path = field.Split('.');
            var node = body;
            for (var i = 0; i < path.Length - 1; i++) node = (JsonObject)node[path[i]]!;
            node[path[^1]] = value;
        });

    private static readonly Gen<Mutation> Mutations = Gen.OneOf(
        WrongType("array", required: true).Select(v => Set("lead_ids", "lead_ids", v)),
        Gen.OneOf(Gen.Int[0, 0], Gen.Int[501, 5000]).Select(n => new Mutation("lead_ids", "lead_ids", b => b["lead_ids"] = new JsonArray(Enumerable.Range(1, n).Select(i => (JsonNode?)JsonValue.Create(900_000_000L + i)).ToArray()))),
        Gen.Select(Gen.Int[0, 1], ValueOf("string", "boolean", "null", "array", "object"), (i, v) => new Mutation("lead_ids", $"lead_ids[{i}]", b => b["lead_ids"]![i] = v)),
        Gen.Select(Gen.Int[0, 1], Pick("0", "-7", "1.5", "1e300", "9223372036854775808"), (i, raw) => new Mutation("lead_ids", $"lead_ids[{i}]", b => b["lead_ids"]![i] = JsonNode.Parse(raw))),
        WrongType("number").Where(v => v is not null).Select(v => Set("copies", "copies", v)),
        Pick("0", "-1", "51", "1000000", "2.5", "1e300").Select(raw => Set("copies", "copies", JsonNode.Parse(raw))),
        WrongType("object", required: true).Select(v => Set("target", "target", v)),
        WrongType("number", required: true).Select(v => Set("target", "target.pipeline_id", v)),
        WrongType("number").Where(v => v is not null).Select(v => Set("target", "target.status_id", v)),
        Pick("0", "-61000007", "0.5", "1e30").Select(raw => Set("target", "target.status_id", JsonNode.Parse(raw))),
        Gen.String[Gen.Char.AlphaNumeric, 1, 6].Select(k => Set("target", "target.x" + k, JsonValue.Create(1))),
        WrongType("object").Where(v => v is not null).Select(v => Set("responsible", "responsible", v)),
        WrongType("string").Where(v => v is not null).Select(v => Set("responsible", "responsible.mode", v)),
        Pick("random", "KEEP", "", "leave").Select(s => Set("responsible", "responsible.mode", JsonValue.Create(s))),
        WrongType("array").Where(v => v is not null).Select(v => Set("responsible", "responsible.user_ids", v)),
        WrongType("string").Where(v => v is not null).Select(v => Set("name_template", "name_template", v)),
        Pick("{title}", "", new string('n', 300)).Select(s => Set("name_template", "name_template", JsonValue.Create(s))),
        WrongType("object").Where(v => v is not null).Select(v => Set("copy", "copy", v)),
        Gen.Select(Pick("price", "contacts", "company", "tags", "products", "notes", "open_tasks", "finished_tasks"), WrongType("boolean").Where(v => v is not null),
            (flag, v) => Set("copy", "copy." + flag, v)),
        WrongType("string or array").Where(v => v is not null).Select(v => Set("copy", "copy.fields", v)),
        Pick("some", "ALL", "").Select(s => Set("copy", "copy.fields", JsonValue.Create(s))),
        Gen.String[Gen.Char.AlphaNumeric, 1, 6].Select(k => Set("copy", "copy.x" + k, JsonValue.Create(true))),
        WrongType("object").Where(v => v is not null).Select(v => Set("original", "original", v)),
        WrongType("string").Where(v => v is not null).Select(v => Set("original", "original.action", v)),
        Pick("delete", "LEAVE", "", "keep").Select(s => Set("original", "original.action", JsonValue.Create(s))),
        WrongType("number").Where(v => v is not null).Select(v => Set("original", "original.pipeline_id", v)),
        WrongType("string").Where(v => v is not null).Select(v => Set("idempotency_key", "idempotency_key", v)),
        Pick("", new string('k', 201)).Select(s => Set("idempotency_key", "idempotency_key", JsonValue.Create(s))),
        Gen.String[Gen.Char.AlphaNumeric, 1, 8].Select(k => Set("x" + k, "x" + k, JsonValue.Create("surprise"))));

    private static readonly Gen<(JsonObject Body, string[] Fields)> BrokenCopyBodies =
        Mutations.Array[1, 3].Select(ms =>
        {
            var body = ValidCopy();
            var chosen = ms.DistinctBy(m => m.Key).ToList(); // one change per top-level key: they do not mask each other
            foreach (var m in chosen) m.Apply(body);
            return (body, chosen.Select(m => m.Field).ToArray());
        });

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static readonly Gen<string> ContentTypes = Pick(
        "application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=zzz", "multipart/form-data", "application/json; charset=utf-16", "image/png", "*/*", ";;;");

    /// <summary>Bytes that are not a JSON document DealCopy reads: broken, invalid UTF-8, too deep, duplicate keys, empty.</summary>
    private static readonly Gen<byte[]> GarbageBodies = Gen.OneOf(
        Gen.Byte.Array[0, 64],
        Pick("", "{", "}", "[", "{lead_ids: [1]}", "{\"lead_ids\":[1],}", "{\"lead_ids\":[1]}/*c*/", "\"\"", "null", "[]", "1", "true",
            "{\"lead_ids\":[1],\"lead_ids\":[2],\"target\":{\"pipeline_id\":7100002}}", "{\"a\":\"\\ud800\"}", "\u0000").Select(Utf8),
        Pick(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D }, [0xFF, 0xFE, 0x7B, 0x7D], [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D], [0xEF, 0xBB, 0xBF, 0x5B, 0x5D]),
        Gen.Int[33, 3000].Select(depth => Utf8("{\"lead_ids\":[1],\"target\":" + Nest(depth) + "}")),
        Gen.Int[33, 20000].Select(depth => Utf8(new string('[', depth) + new string(']', depth))));

    // (HttpClient folds dot segments; those that would fold into a valid read are sent raw, below)
    private static readonly Gen<string> PathTricks = Pick(
        "api/v1/copies/..%2F..%2Fadmin%2Fv1%2Fcluster", "api/v1/copies/%2e%2e", "api/v1/copies/" + new string('a', 4000),
        "api/v1/copies/%C3%28", "api/v1/copies/\u0416\u0416", "api/v1/copies/1/undo/2", "api/v1/copies//undo",
        "api/v1/copies?offset=-1&limit=1", "api/v1/dp/key/..", "api/v2/copies", "api/v1/", "api/v1/copies/%252e%252e%252f", "api/v1/copies/;jsessionid=1",
        "admin/v1/accounts/-1", "admin/v1/accounts/0", "admin/v1/accounts/99999999999999999999999", "admin/v1/accounts/1e3",
        "admin/v1/accounts/31000001/jobs/" + new string('j', 3000), "admin/v1/cluster/..", "admin/v1/cluster/sharding/x",
        "hooks/dp/..", "hooks/disconnect/x", "oauth/callback/..%2f", "hooks/%64p");

    private static readonly Gen<string> Methods = Pick("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    // ---- hooks ----

    private static readonly string[] HookKeys =
        ["account_id", "subdomain", "event[type]", "event[data][id]", "event[data][element_type]", "event[data][pipeline_id]", "event[data][status_id]",
         "event[time]", "event[data][direction_of_movement]", "action[settings][widget][settings][key]", "action[settings][widget][settings][rule]"];

    private static readonly Gen<string> HookValues = Gen.OneOf(Text, Pick("31000001", "14", "15", "2", "7100002", "61000007", "1767225600", "-1", "0",
        "99999999999999999999", "went_in_trigger", "1.5", "1e9", " 14 "));

    private static readonly Gen<Dictionary<string, string>> HookForms =
        Gen.Select(Gen.OneOf(Pick(HookKeys), Gen.String[0, 30]), HookValues).Array[0, 14]
            .Select(pairs => pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));

    private static string Form(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));

    /// <summary>A hook amoCRM could send, with the right DP key but a rule whose one field is wrong: refused (422), no job.</summary>
    private Gen<Probe> HooksWithBrokenRules => BrokenCopyBodies
        .Where(b => !b.Fields.Any(f => f.StartsWith("lead_ids", StringComparison.Ordinal) || f.StartsWith("idempotency_key", StringComparison.Ordinal)))
        .Select(b =>
        {
            var rule = b.Body.DeepClone().AsObject();
            rule.Remove("lead_ids");
            rule["v"] = 1;
            var fields = new Dictionary<string, string>
            {
                ["account_id"] = DemoAccount.ToString(System.Globalization.CultureInfo.InvariantCulture), ["event[type]"] = "14", ["event[data][id]"] = "20000001",
                ["event[data][element_type]"] = "2", ["event[data][pipeline_id]"] = "7100001", ["event[data][status_id]"] = "142", ["event[time]"] = "1767225600",
                ["action[settings][widget][settings][key]"] = _dpKey, ["action[settings][widget][settings][rule]"] = rule.ToJsonString(),
            };
            return new Probe("POST", "hooks/dp", Auth.None, "application/x-www-form-urlencoded", Utf8(Form(fields)), Expect.Refused, []);
        });

    private static readonly Gen<string> QueryValues = Gen.OneOf(Text, Pick("31000001", "7a3b1f9e-5c2d-4e8a-9b6f-0d1c2e3f4a5b", "deadbeef", "-5", "dealcopy-demo.amocrm.ru", "a/b", "%00"));

    private static readonly Gen<string> Queries =
        Gen.Select(Gen.OneOf(Pick("code", "referer", "state", "error", "platform", "from_widget", "client_uuid", "account_id", "signature"), Gen.String[0, 10]), QueryValues).Array[0, 6]
            .Select(pairs => string.Join("&", pairs.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2))));

    private Gen<Probe> Probes => Gen.Frequency(
        (30, BrokenCopyBodies.Select(b => new Probe("POST", "api/v1/copies", Auth.Widget, "application/json", Utf8(b.Body.ToJsonString()), Expect.RefusedNamingFields, b.Fields))),
        (10, Gen.Select(GarbageBodies, ContentTypes, Gen.Bool, (body, type, chunked) => new Probe("POST", "api/v1/copies", Auth.Widget, type, body, Expect.Refused, [], chunked))),
        // the preview takes the copy's body: the same refusals naming the same fields
        (10, BrokenCopyBodies.Select(b => new Probe("POST", "api/v1/copies/preview", Auth.Widget, "application/json", Utf8(b.Body.ToJsonString()), Expect.RefusedNamingFields, b.Fields))),
        (4, Gen.Select(GarbageBodies, ContentTypes, Gen.Bool, (body, type, chunked) => new Probe("POST", "api/v1/copies/preview", Auth.Widget, type, body, Expect.Refused, [], chunked))),
        (5, BrokenCopyBodies.Select(b => new Probe("POST", "api/v1/copies", Auth.ForgedWidget, "application/json", Utf8(b.Body.ToJsonString()), Expect.Refused, []))),
        (8, Gen.Select(Methods, PathTricks, Pick(Auth.Widget, Auth.None, Auth.Admin, Auth.WrongAdmin), (m, p, a) => new Probe(m, p, a, null, null, Expect.RefusedOrPlain, []))),
        (5, Gen.Select(Pick("PUT", "DELETE", "PATCH"), Pick("api/v1/copies", "api/v1/meta", "hooks/dp", "oauth/callback", "hooks/disconnect", "admin/v1/accounts"),
            (m, p) => new Probe(m, p, Auth.Admin, "application/json", Utf8("{}"), Expect.Refused, []))),
        (12, Gen.Select(HookForms, Gen.Bool, (f, json) => json
            ? new Probe("POST", "hooks/dp", Auth.None, "application/json", Utf8(new JsonObject(f.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))).ToJsonString()), Expect.RefusedOrPlain, [])
            : new Probe("POST", "hooks/dp", Auth.None, "application/x-www-form-urlencoded", Utf8(Form(f)), Expect.RefusedOrPlain, []))),
        (4, Gen.Select(GarbageBodies, ContentTypes, (body, type) => new Probe("POST", "hooks/dp", Auth.None, type, body, Expect.RefusedOrPlain, []))),
        (1, Gen.Int[1025, 3000].Select(n => new Probe("POST", "hooks/dp", Auth.None, "application/x-www-form-urlencoded",
            Utf8(Form(Enumerable.Range(0, n).Select(i => KeyValuePair.Create($"f{i}", "1")))), Expect.Refused, []))),
        (6, HooksWithBrokenRules),
        (6, Queries.Select(q => new Probe("GET", "oauth/callback?" + q, Auth.None, null, null, Expect.RefusedOrPlain, []))),
        (6, Queries.Select(q => new Probe("GET", "hooks/disconnect?" + q, Auth.None, null, null, Expect.Refused, []))),
        (8, BrokenInstallBodies.Select(b => new Probe("POST", "admin/v1/accounts", Auth.Admin, "application/json", Utf8(b.Body.ToJsonString()), Expect.RefusedNamingFields, b.Fields))),
        (3, Gen.Select(GarbageBodies, ContentTypes, (body, type) => new Probe("POST", "admin/v1/accounts", Auth.Admin, type, body, Expect.Refused, []))),
        (3, Pick("admin/v1/cluster", "admin/v1/accounts/31000001", "admin/v1/cluster/sharding").Select(p => new Probe("GET", p, Auth.WrongAdmin, null, null, Expect.Refused, []))),
        (1, Pick("api/v1/copies", "hooks/dp", "admin/v1/accounts").Select(p => new Probe("POST", p, p.StartsWith("admin", StringComparison.Ordinal) ? Auth.Admin : Auth.Widget, "application/json",
            Utf8("{\"lead_ids\":[" + string.Join(",", Enumerable.Repeat("1", 600_000)) + "]}"), Expect.Refused, []))));

    // ---- POST /admin/v1/accounts ----

    private static JsonObject ValidInstall() => new()
    {
        ["account_id"] = 39000001, ["referer"] = "fuzz.amocrm.ru", ["access_token"] = "fuzz-token", ["refresh_token"] = "fuzz-refresh", ["expires_at"] = 1893456000,
    };

    private static readonly Gen<Mutation> InstallMutations = Gen.OneOf(
        WrongType("number", required: true).Select(v => Set("account_id", "account_id", v)),
        Pick("0", "-1", "1.5", "1e300").Select(raw => Set("account_id", "account_id", JsonNode.Parse(raw))),
        WrongType("string", required: true).Select(v => Set("referer", "referer", v)),
        Pick("", "a/b", "nodot", " ").Select(s => Set("referer", "referer", JsonValue.Create(s))),
        WrongType("string", required: true).Select(v => Set("access_token", "access_token", v)),
        WrongType("string").Where(v => v is not null).Select(v => Set("refresh_token", "refresh_token", v)),
        WrongType("number").Where(v => v is not null).Select(v => Set("expires_at", "expires_at", v)),
        Gen.String[Gen.Char.AlphaNumeric, 1, 8].Select(k => Set("x" + k, "x" + k, JsonValue.Create(1))));

    private static readonly Gen<(JsonObject Body, string[] Fields)> BrokenInstallBodies =
        InstallMutations.Array[1, 3].Select(ms =>
        {
            var body = ValidInstall();
            var chosen = ms.DistinctBy(m => m.Key).ToList();
            foreach (var m in chosen) m.Apply(body);
            return (body, chosen.Select(m => m.Field).ToArray());
        });

    // ---- the run ----

    [Fact]
    public async Task Thousands_of_malformed_requests_on_every_endpoint_get_4xx_problems_and_change_nothing()
    {
        _dpKey = await Host.DpKeyAsync();
        using (var warm = await Host.CallAsync(HttpMethod.Get, "api/v1/meta")) Assert.Equal(HttpStatusCode.OK, warm.StatusCode); // the account sets up its marker field
        var leadsBefore = Leads(await DumpAsync()).Count();
        var logStart = (await Sandbox.Control.RequestsAsync()).Select(e => e.Id).DefaultIfEmpty(0).Max();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var counts = new Dictionary<int, int>();

        await Probes.SampleAsync(async probe =>
        {
            var status = await SendAsync(http, probe);
            lock (counts) counts[status] = counts.GetValueOrDefault(status) + 1;
        }, iter: Iterations, threads: 2, seed: Environment.GetEnvironmentVariable("DEALCOPY_FUZZ_SEED"), print: p => p.ToString());

        // the largest bodies, once each on every endpoint that reads one: 413, not a dropped connection
        var tenMegabytes = new byte[10 * 1024 * 1024];
        Array.Fill(tenMegabytes, (byte)'1');
        foreach (var (path, auth) in new[] { ("api/v1/copies", Auth.Widget), ("hooks/dp", Auth.None), ("admin/v1/accounts", Auth.Admin) })
            foreach (var chunked in new[] { false, true })
                foreach (var type in new[] { "application/json", "application/x-www-form-urlencoded" })
                    Assert.Equal(413, await SendAsync(http, new Probe("POST", path, auth, type, tenMegabytes, Expect.Refused, [], chunked)));

        // what Kestrel refuses before DealCopy sees the request: bare 4xx answers, the connection answered
        Assert.Equal(431, await RawAsync($"GET /api/v1/meta HTTP/1.1\r\nHost: x\r\nX-Big: {new string('h', 40 * 1024)}\r\n\r\n"));
        Assert.Equal(414, await RawAsync($"GET /api/v1/copies/{new string('p', 9 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n"));
        foreach (var raw in new[]
                 {
                     "GET /api/v1/../admin/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n", "GET /api/v1/copies/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
                     "GET http://evil.example/admin/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n", "BREW /api/v1/meta HTTP/1.1\r\nHost: x\r\n\r\n",
"GET /api/v1/meta\r\n\r\n", "GET /api/v1/meta HTTP/1.1\nHost: x\n\n",
                     "POST /api/v1/copies HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "POST /hooks/dp HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                     "POST /hooks/dp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "GET /api/v1/meta HTTP/1.1\r\nHost: x\r\nX-Auth-Token: a\u0000b\r\n\r\n",
                 })
        {
            var status = await RawAsync(raw);
            Assert.True(status is >= 400 and < 500, $"{raw.Split('\r')[0]} answered {status}");
        }

        // the Host keeps answering, and amoCRM saw no write and holds no new deal
        using (var ready = await Host.Http.GetAsync("healthz/ready")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using (var meta = await Host.CallAsync(HttpMethod.Get, "api/v1/meta")) Assert.Equal(HttpStatusCode.OK, meta.StatusCode);
        // (an install redirect with a made-up code is exchanged in the background; amoCRM refuses the code, nothing is written)
        var writes = (await Sandbox.Control.RequestsAsync()).Where(e => e.Id > logStart && e.Method is not ("GET" or "HEAD") && !e.Path.StartsWith("/_sandbox/", StringComparison.Ordinal) && !(e.Path == "/oauth2/access_token" && e.Status >= 400)).ToList();
        Assert.True(writes.Count == 0, "the sandbox saw writes: " + string.Join("; ", writes.Take(5).Select(w => $"{w.Method} {w.Path} {w.Status}")));
        Assert.Equal(leadsBefore, Leads(await DumpAsync()).Count());
        Assert.DoesNotContain(counts.Keys, s => s >= 500);
        Assert.True(counts.Values.Sum() == Iterations, $"{counts.Values.Sum()} answers to {Iterations} requests");
    }

    /// <summary>Sends one probe and checks its answer; returns the status.</summary>
    private async Task<int> SendAsync(HttpClient http, Probe probe)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        switch (probe.Auth)
        {
            case Auth.Widget: request.Headers.Add("X-Auth-Token", await Host.WidgetTokenAsync()); break;
            case Auth.ForgedWidget: request.Headers.Add("X-Auth-Token", await Sandbox.Control.WidgetTokenAsync(DemoAccount, Boris, new JsonObject { ["signing_key"] = "somebody-elses-secret-0123456789-0123456789" })); break;
            case Auth.Admin: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + TestHost.AdminToken); break;
            case Auth.WrongAdmin: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + TestHost.AdminToken + "x"); break;
        }
        if (probe.Body is not null)
        {
            HttpContent content = probe.Chunked ? new StreamContent(new MemoryStream(probe.Body)) : new ByteArrayContent(probe.Body);
            if (probe.ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            request.Content = content;
            if (probe.Chunked) request.Headers.TransferEncodingChunked = true;
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new Xunit.Sdk.XunitException($"no answer (the connection dropped: {e.Message}) to {probe}");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var type = response.Content.Headers.ContentType?.MediaType;
            var text = await response.Content.ReadAsStringAsync();
            string Say(string what) => $"{what}: {status} {type} {text[..Math.Min(400, text.Length)]} for {probe}";
            Assert.True(status < 500, Say("a server error"));
            var plain = probe.Expect == Expect.RefusedOrPlain && status == 200 &&
                        (type == "text/html" && text.Contains("DealCopy", StringComparison.Ordinal) // the install page
                         || type == "application/json" && JsonNode.Parse(text)?["status"]?.GetValue<string>() == "ignored"); // a DP hook DealCopy does not act on
            if (probe.Method == "HEAD" && status is >= 400 and < 500) return status; // HEAD answers carry no body
            if (plain) return status;
            Assert.True(status is >= 400 and < 500, Say("not a refusal"));
            Assert.True(type == "application/problem+json", Say("not problem+json"));
            var body = JsonNode.Parse(text)!.AsObject();
            Assert.True(body["code"]?.GetValue<string>() is { Length: > 0 }, Say("no code"));
            Assert.DoesNotContain("   at ", text);
            if (probe.Expect == Expect.RefusedNamingFields)
            {
                Assert.True(status == 400, Say("expected 400"));
                var code = body["code"]!.GetValue<string>();
                if (code == "request.invalid_json") return status; // a nesting mutation beyond the depth limit
                var named = body["refusals"]?.AsArray().Select(r => r!["field"]!.GetValue<string>()).ToHashSet() ?? [];
                foreach (var field in probe.Fields) Assert.True(named.Contains(field), Say($"the refusals do not name {field}"));
                Assert.All(body["refusals"]!.AsArray(), r => Assert.StartsWith("request.", r!["code"]!.GetValue<string>(), StringComparison.Ordinal));
            }
            return status;
        }
    }

    /// <summary>Bytes straight onto the socket (HttpClient would normalise them); the status of the answer.</summary>
    private async Task<int> RawAsync(string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(buffer, cts.Token);
        var line = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        Assert.True(line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"no HTTP answer to {request.Split('\r')[0]}: '{line}'");
        return int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
