using System.Globalization;
using System.Text.RegularExpressions;

namespace DealCopy.Actors.Copying;

/// <summary>
/// The API-only marker field every copy carries: a clickable "copied from" link that also names the job
/// and the copy number, so that after an uncertain create the job can find what it already made.
/// </summary>
public static partial class Marker
{
    public const string FieldCode = "DEALCOPY_SOURCE";
    public const string FieldName = "Скопировано из (DealCopy)";
    public const string FieldType = "url";

    /// <summary>The marker of a copy; a copy made by a Digital Pipeline rule also names the rule and its depth.</summary>
    public static string Value(string referer, long sourceId, string jobId, int n, RuleMark? rule = null) =>
        $"https://{referer}/leads/detail/{sourceId}#dealcopy-{jobId}-{n}" + (rule is null ? "" : $"-r{rule.Depth}-{rule.RuleId}");

    [GeneratedRegex(@"/leads/detail/(\d+)#dealcopy-([0-9a-f]+)-(\d+)(?:-r(\d+)-([0-9a-f]+))?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? value, out long sourceId, out string jobId, out int n) =>
        TryParse(value, out sourceId, out jobId, out n, out _);

    public static bool TryParse(string? value, out long sourceId, out string jobId, out int n, out RuleMark? rule)
    {
        sourceId = 0;
        jobId = "";
        n = 0;
        rule = null;
        if (value is null) return false;
        var m = Pattern().Match(value);
        // digits that overflow are garbage too: reconcile reads markers of any deal and must not throw
        if (!m.Success ||
            !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var source) ||
            !int.TryParse(m.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return false;
        if (m.Groups[4].Success)
        {
            if (!int.TryParse(m.Groups[4].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var depth)) return false;
            rule = new RuleMark(m.Groups[5].Value, depth);
        }
        sourceId = source;
        jobId = m.Groups[2].Value;
        n = number;
        return true;
    }
}

/// <summary>Which Digital Pipeline rule made a copy, and how many rule copies deep it is (1 = a copy of an original).</summary>
public sealed record RuleMark(string RuleId, int Depth);
