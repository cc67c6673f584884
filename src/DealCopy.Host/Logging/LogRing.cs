using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace DealCopy.Host.Logging;

/// <summary>One log line as the operator API returns it (<c>dealcopy log peek</c>).</summary>
public sealed record LogLine(DateTimeOffset At, string Level, string? Source, string Message, string? Exception);

/// <summary>
/// A Serilog sink keeping this node's last lines in memory for <c>GET /admin/v1/log</c>. It holds what the
/// console gets (the same rendered messages, so nothing that is not logged already; secrets never are).
/// </summary>
public sealed class LogRing(int capacity) : ILogEventSink
{
    private readonly Queue<LogLine> _lines = new();
    private readonly Lock _gate = new();

    public int Capacity { get; } = Math.Max(1, capacity);

    public void Emit(LogEvent logEvent)
    {
        var source = logEvent.Properties.TryGetValue("SourceContext", out var s) && s is ScalarValue { Value: string name } ? name : null;
        var line = new LogLine(logEvent.Timestamp, logEvent.Level.ToString(), source, logEvent.RenderMessage(CultureInfo.InvariantCulture),
            logEvent.Exception is { } e ? $"{e.GetType().Name}: {e.Message}" : null);
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > Capacity) _lines.Dequeue();
        }
    }

    /// <summary>The last <paramref name="n"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Last(int n)
    {
        lock (_gate) return _lines.Skip(Math.Max(0, _lines.Count - n)).ToList();
    }
}
