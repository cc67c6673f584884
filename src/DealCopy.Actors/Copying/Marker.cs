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
        if (!m.Success) return false;
        sourceId = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        jobId = m.Groups[2].Value;
        n = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        return true;
    }
}
