using System.Globalization;
using System.Text;
using DealCopy.AmoSandbox.Platform;

namespace DealCopy.Bench;

/// <summary>What amoCRM saw of one measured piece of work (from the sandbox's request log).</summary>
public sealed record CallStats(int Requests, int Busiest, int Limited, IReadOnlyDictionary<string, int> ByKind)
{
    public static CallStats Of(IReadOnlyList<RequestLogEntry> log)
    {
        // amoCRM counts a request when it arrives (AtMs): the busiest sliding second as amoCRM sees it
        var times = log.Select(e => e.AtMs).Order().ToArray();
        var busiest = 0;
        for (int i = 0, j = 0; i < times.Length; i++)
        {
            while (times[i] - times[j] >= 1000) j++;
            busiest = Math.Max(busiest, i - j + 1);
        }
        return new CallStats(log.Count, busiest, log.Count(e => e.Status == 429),
            log.GroupBy(Kind).ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>A short name of what a request does: "GET leads", "POST leads/notes", "POST leads/link".</summary>
    public static string Kind(RequestLogEntry e)
    {
        var parts = e.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2) // api, v4
            .Select(p => long.TryParse(p, out _) ? "{id}" : p);
        return e.Method + " " + string.Join('/', parts);
    }

    public string KindsText() => string.Join(", ", ByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));
}

/// <summary>Median and spread of a figure over runs, and the printed tables.</summary>
public static class Report
{
    public static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * v.Length) - 1;
        return v[Math.Clamp(rank, 0, v.Length - 1)];
    }

    /// <summary>"12.3 (11.9–12.8)": the median and the smallest and largest run.</summary>
    public static string Spread(IEnumerable<double> values, string format = "F1")
    {
        var v = values.ToArray();
        if (v.Length == 1) return v[0].ToString(format, C);
        return $"{Median(v).ToString(format, C)} ({v.Min().ToString(format, C)}–{v.Max().ToString(format, C)})";
    }

    public static void Header(string figure, BenchOptions o, string command)
    {
        Console.WriteLine();
        Console.WriteLine($"## {figure}");
        Console.WriteLine($"command: {command}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"amoCRM sandbox: 7 requests/s per account, 250 per batch, latency {o.LatencyMs} ± {o.JitterMs} ms; runs: {o.Runs}");
        Console.WriteLine();
    }

    public static void Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        Console.WriteLine("| " + string.Join(" | ", columns) + " |");
        Console.WriteLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var row in rows) Console.WriteLine("| " + string.Join(" | ", row) + " |");
    }

    public static void Progress(string text) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    /// <summary>
    /// An SVG of amoCRM requests over time: one lane per kind of request (a tick per request, at its arrival),
    /// and the cumulative count against 7 per second.
    /// </summary>
    public static string CallsSvg(IReadOnlyList<RequestLogEntry> log, string title, double boundSeconds)
    {
        var t0 = log.Min(e => e.ReceivedMs > 0 ? e.ReceivedMs : e.AtMs);
        var end = Math.Max(log.Max(e => e.AtMs) - t0, 1) / 1000.0;
        var kinds = log.Select(CallStats.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        const int left = 170, width = 760, lane = 18, top = 40;
        var plotTop = top + kinds.Count * lane + 20;
        const int plotHeight = 200;
        var height = plotTop + plotHeight + 50;
        double X(double s) => left + s / Math.Max(end, boundSeconds) * width;
        var sb = new StringBuilder();
        sb.Append(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + 30}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(C, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"14\">{title}</text>\n");
        for (var k = 0; k < kinds.Count; k++)
        {
            var y = top + k * lane;
            sb.Append(C, $"<text x=\"10\" y=\"{y + 12}\">{kinds[k]}</text>\n");
            foreach (var e in log.Where(e => CallStats.Kind(e) == kinds[k]))
                sb.Append(C, $"<rect x=\"{X((e.AtMs - t0) / 1000.0):F1}\" y=\"{y + 2}\" width=\"2\" height=\"{lane - 4}\" fill=\"{(e.Status == 429 ? "#d33" : "#36c")}\"/>\n");
        }
        // cumulative requests vs the budget line (7 per second from the first request)
        var sorted = log.Select(e => (e.AtMs - t0) / 1000.0).Order().ToArray();
        var total = sorted.Length;
        double Y(double n) => plotTop + plotHeight - n / total * plotHeight;
        sb.Append(C, $"<line x1=\"{left}\" y1=\"{plotTop + plotHeight}\" x2=\"{left + width}\" y2=\"{plotTop + plotHeight}\" stroke=\"#999\"/>\n");
        sb.Append(C, $"<line x1=\"{X(0):F1}\" y1=\"{Y(0):F1}\" x2=\"{X(total / 7.0):F1}\" y2=\"{Y(total):F1}\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>\n");
        sb.Append(C, $"<text x=\"{X(total / 7.0) + 4:F1}\" y=\"{Y(total) + 12:F1}\" fill=\"#777\">7 requests/s</text>\n");
        sb.Append("<polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"1.5\" points=\"");
        for (var i = 0; i < total; i++) sb.Append(C, $"{X(sorted[i]):F1},{Y(i + 1):F1} ");
        sb.Append("\"/>\n");
        sb.Append(C, $"<text x=\"10\" y=\"{plotTop + 12}\">cumulative requests</text><text x=\"10\" y=\"{plotTop + 26}\">(0–{total})</text>\n");
        var step = Math.Max(end, boundSeconds) > 30 ? 10 : Math.Max(end, boundSeconds) > 8 ? 2 : 1;
        for (var s = 0; s <= Math.Max(end, boundSeconds); s += step)
            sb.Append(C, $"<text x=\"{X(s):F1}\" y=\"{plotTop + plotHeight + 16}\" text-anchor=\"middle\">{s}s</text>\n");
        sb.Append(C, $"<line x1=\"{X(boundSeconds):F1}\" y1=\"{top}\" x2=\"{X(boundSeconds):F1}\" y2=\"{plotTop + plotHeight}\" stroke=\"#3a3\" stroke-dasharray=\"2 2\"/>\n");
        sb.Append(C, $"<text x=\"{X(boundSeconds) + 3:F1}\" y=\"{plotTop + plotHeight + 34}\" fill=\"#3a3\">API-budget bound {boundSeconds:F1} s</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
