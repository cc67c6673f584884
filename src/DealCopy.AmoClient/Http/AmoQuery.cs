using System.Globalization;

namespace DealCopy.AmoClient;

/// <summary>A query string in amoCRM's bracket style (<c>filter[id][]=1&amp;filter[id][]=2</c>).</summary>
public sealed class AmoQuery
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public AmoQuery Add(string key, string? value)
    {
        if (value is not null)
        {
            _pairs.Add(new(key, value));
        }
        return this;
    }

    public AmoQuery Add(string key, long? value) => Add(key, value?.ToString(CultureInfo.InvariantCulture));

    public AmoQuery AddMany(string key, IEnumerable<long> values)
    {
        foreach (var v in values)
        {
            Add(key, v);
        }
        return this;
    }

    public AmoQuery AddMany(string key, IEnumerable<string> values)
    {
        foreach (var v in values)
        {
            Add(key, v);
        }
        return this;
    }

    public bool IsEmpty => _pairs.Count == 0;

    /// <summary>The encoded query without '?'. Bracket keys stay readable (amoCRM and the sandbox accept them; it keeps 250-id URLs short).</summary>
    public override string ToString() =>
        string.Join('&', _pairs.Select(p => EscapeKey(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    /// <summary><paramref name="path"/> with this query appended.</summary>
    public string AppendTo(string path) => IsEmpty ? path : path + (path.Contains('?') ? "&" : "?") + this;

    private static string EscapeKey(string key) =>
        Uri.EscapeDataString(key).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal);
}
