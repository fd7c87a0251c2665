namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// Section 3, sending rule 3: answer a solicit after a random 0–max delay, at most one answer per min gap in total.
/// An answer already pending covers later solicits, since it goes to the whole group. A solicit that arrives too
/// soon after the last answer is answered as soon as the gap allows, not dropped: otherwise a node that starts just
/// after another would hear nothing from its peers until their next regular beacon.
/// </summary>
internal sealed class SolicitAnswerGate(TimeSpan minGap, TimeSpan maxDelay, Func<double> random, TimeProvider time)
{
    private DateTimeOffset? _lastAnswerAt;

    public SolicitAnswerGate(LighthouseOptions options, Func<double> random, TimeProvider time)
        : this(options.SolicitAnswerMinGap, options.SolicitAnswerMaxDelay, random, time)
    {
    }

    /// <summary>The delay after which to send an answer, or null when an answer is already pending.</summary>
    public TimeSpan? TrySchedule()
    {
        var now = time.GetUtcNow();
        if (_lastAnswerAt is { } last && last > now)
        {
            return null;
        }

        var earliest = _lastAnswerAt is { } previous && previous + minGap > now ? previous + minGap : now;
        var at = earliest + (maxDelay * random());
        _lastAnswerAt = at;
        return at - now;
    }
}
