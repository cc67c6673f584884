using System.Text.Json.Serialization;

namespace DealCopy.AmoSandbox.Platform;

/// <summary>A fault rule of the control API (docs/SANDBOX.md "Fault rules").</summary>
public sealed class FaultRule
{
    public long Id { get; set; }
    public string? Method { get; set; }
    public string Path { get; set; } = "";
    public long? AccountId { get; set; }
    /// <summary>latency | status | timeout | reset | lost_response | html</summary>
    public string Kind { get; set; } = "";
    public int? Status { get; set; }
    public int? LatencyMs { get; set; }
    public int? RetryAfter { get; set; }
    /// <summary>A 429 without <c>retry_after</c> in its body (amoCRM does not always say).</summary>
    public bool? OmitRetryAfter { get; set; }
    /// <summary>For <c>status</c>: do the work and commit it first, then answer the error (a 5xx or 504 after the write).</summary>
    public bool? AfterCommit { get; set; }
    public int? Count { get; set; }
    public double? Rate { get; set; }
    /// <summary>Only for requests whose JSON body is an array of at least this many entities (amoCRM answers 504 to writes too large for it under load).</summary>
    public int? MinEntities { get; set; }
    /// <summary>How many requests this rule has been applied to (listed, never set by a client).</summary>
    [JsonInclude] public int Used { get; internal set; }

    public static readonly string[] Kinds = ["latency", "status", "timeout", "reset", "lost_response", "html"];

    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/')) return "path must start with '/'";
        if (!Kinds.Contains(Kind)) return $"kind must be one of {string.Join(", ", Kinds)}";
        if (Kind is "status" or "html" && (Status is null || Status < 400 || Status > 599)) return "status must be 400..599 for this kind";
        if (Kind == "latency" && (LatencyMs is null || LatencyMs < 0 || LatencyMs > 120_000)) return "latency_ms must be 0..120000";
        if (Count is < 1) return "count must be at least 1";
        if (Rate is < 0 or > 1) return "rate must be between 0 and 1";
        if (MinEntities is < 1) return "min_entities must be at least 1";
        if (Method is not null && Method.Length == 0) return "method must not be empty";
        return null;
    }

    public bool Matches(string method, string path, long? accountId, int? entities = null)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) return false;
        if (AccountId is not null && AccountId != accountId) return false;
        if (MinEntities is { } least && (entities ?? 0) < least) return false;
        return PathMatches(Path, path);
    }

    /// <summary>Exact match by segments ("{id}" = any one segment), or a prefix match when the pattern ends with '*'.</summary>
    internal static bool PathMatches(string pattern, string path)
    {
        var prefix = pattern.EndsWith('*');
        var p = (prefix ? pattern[..^1] : pattern.TrimEnd('/')).Split('/');
        var s = path.TrimEnd('/').Split('/');
        if (prefix ? s.Length < p.Length : s.Length != p.Length) return false;
        var exact = prefix ? p.Length - 1 : p.Length;
        for (var i = 0; i < exact; i++)
            if (!Segment(p[i], s[i])) return false;
        return !prefix || p[^1] == "{id}" || s[p.Length - 1].StartsWith(p[^1], StringComparison.Ordinal);
    }

    private static bool Segment(string pattern, string segment) =>
        pattern == "{id}" ? segment.Length > 0 : string.Equals(pattern, segment, StringComparison.Ordinal);
}

/// <summary>The active fault rules; the first matching rule with budget left applies.</summary>
public sealed class FaultInjector(int seed)
{
    private readonly List<FaultRule> _rules = [];
    private readonly Random _random = new(seed);
    private long _nextId;

    public FaultRule Add(FaultRule rule)
    {
        lock (_rules)
        {
            rule.Id = ++_nextId;
            _rules.Add(rule);
            return rule;
        }
    }

    public IReadOnlyList<FaultRule> List() { lock (_rules) return _rules.ToList(); }

    public void Clear() { lock (_rules) _rules.Clear(); }

    public bool Remove(long id) { lock (_rules) return _rules.RemoveAll(r => r.Id == id) > 0; }

    /// <summary>Whether a rule looks at the size of a request's body (then the pipeline counts its entities first).</summary>
    public bool CountsEntities { get { lock (_rules) return _rules.Any(r => r.MinEntities is not null); } }

    /// <param name="entities">the request body's entity count, when <see cref="CountsEntities"/></param>
    public FaultRule? Take(string method, string path, long? accountId, int? entities = null)
    {
        lock (_rules)
        {
            foreach (var rule in _rules)
            {
                if (!rule.Matches(method, path, accountId, entities)) continue;
                if (rule.Count is { } count && rule.Used >= count) continue;
                if (rule.Rate is { } rate && _random.NextDouble() >= rate) continue;
                rule.Used++;
                return rule;
            }
            return null;
        }
    }
}
