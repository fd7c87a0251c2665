using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace OpenRed.Cli.Logging;

/// <summary>One line of the log as the dashboard shows it.</summary>
internal sealed record LogLine(DateTimeOffset Time, LogEventLevel Level, string Message);

/// <summary>
/// The last lines of the log in memory, for the dashboard (GET /v1/web/log). It sees events after
/// <see cref="VisibleTextEnricher"/>, so text from peers is already made visible; a full ring drops its oldest line.
/// </summary>
internal sealed class LogRing : ILogEventSink
{
    // As the file shows it: strings without quotes.
    private static readonly MessageTemplateTextFormatter Format = new("{Message:lj}", CultureInfo.InvariantCulture);

    private readonly LogLine[] _lines;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public LogRing(int capacity = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _lines = new LogLine[capacity];
    }

    public int Capacity => _lines.Length;

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Format.Format(logEvent, text);
        var message = text.ToString();
        if (logEvent.Exception is { } e)
        {
            // The type and message only: a stack belongs in the file, not on a page.
            message += $" ({e.GetType().Name}: {Core.Text.VisibleText.Escape(e.Message)})";
        }

        var line = new LogLine(logEvent.Timestamp, logEvent.Level, message);
        lock (_gate)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
        }
    }

    /// <summary>The newest <paramref name="lines"/> lines at <paramref name="minimum"/> or above, oldest first.</summary>
    public IReadOnlyList<LogLine> Last(LogEventLevel minimum, int lines)
    {
        var found = new List<LogLine>(Math.Min(lines, _lines.Length));
        lock (_gate)
        {
            for (var i = 1; i <= _count && found.Count < lines; i++)
            {
                var line = _lines[(_next - i + _lines.Length) % _lines.Length];
                if (line.Level >= minimum)
                {
                    found.Add(line);
                }
            }
        }

        found.Reverse();
        return found;
    }
}
