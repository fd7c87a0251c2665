using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// One Information line per kind of refusal and interval, with the count: a user sees why connections are turned
/// away (a connect loop that meets the rate limit), while a flood costs the log one line a minute per kind.
/// The first refusal of a kind is logged at once; the ones after it are counted and summed up by the first refusal
/// of that kind after the interval.
/// </summary>
internal sealed partial class RefusalLog
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public RefusalLog(ILogger logger, TimeProvider time, TimeSpan? interval = null)
    {
        _logger = logger;
        _time = time;
        _interval = interval ?? DefaultInterval;
    }

    /// <summary>Counts one refusal of <paramref name="reason"/> from <paramref name="remote"/>; logs when the kind is due.</summary>
    public void Refused(string reason, string remote)
    {
        var now = _time.GetUtcNow();
        long count;
        TimeSpan over;
        lock (_lock)
        {
            if (!_kinds.TryGetValue(reason, out var kind))
            {
                kind = new Kind { Since = now, Count = 0, LoggedOnce = false };
                _kinds[reason] = kind;
            }

            kind.Count++;
            if (kind.LoggedOnce && now - kind.Since < _interval)
            {
                return;
            }

            count = kind.Count;
            over = now - kind.Since;
            kind.Count = 0;
            kind.Since = now;
            kind.LoggedOnce = true;
        }

        LogRefused(_logger, count, Math.Round(over.TotalSeconds), reason, remote);
    }

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information,
        Message = "Refused {Count} inbound connection(s) in the last {Seconds} s: {Reason} (latest from {Remote})")]
    private static partial void LogRefused(ILogger logger, long count, double seconds, string reason, string remote);

    private sealed class Kind
    {
        public DateTimeOffset Since { get; set; }

        public long Count { get; set; }

        public bool LoggedOnce { get; set; }
    }
}
