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

    public static string Value(string referer, long sourceId, string jobId, int n) =>
        $"https://{referer}/leads/detail/{sourceId}#dealcopy-{jobId}-{n}";

    [GeneratedRegex(@"/leads/detail/(\d+)#dealcopy-([0-9a-f]+)-(\d+)$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? value, out long sourceId, out string jobId, out int n)
    {
        sourceId = 0;
        jobId = "";
        n = 0;
        if (value is null) return false;
        var m = Pattern().Match(value);
        // digits that overflow are garbage too: reconcile reads markers of any deal and must not throw
        if (!m.Success ||
            !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var source) ||
            !int.TryParse(m.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return false;
        sourceId = source;
        jobId = m.Groups[2].Value;
        n = number;
        return true;
    }
}
