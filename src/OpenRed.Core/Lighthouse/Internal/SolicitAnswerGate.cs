namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// Section 3, sending rule 3: answer a solicit after a random 0–max delay, at most one answer per min gap in total.
/// An answer already pending covers later solicits, since it goes to the whole group.
/// </summary>
internal sealed class SolicitAnswerGate(TimeSpan minGap, TimeSpan maxDelay, Func<double> random, TimeProvider time)
{
    private DateTimeOffset? _lastAnswerAt;

    public SolicitAnswerGate(LighthouseOptions options, Func<double> random, TimeProvider time)
        : this(options.SolicitAnswerMinGap, options.SolicitAnswerMaxDelay, random, time)
    {
    }

    /// <summary>The delay after which to send an answer, or null when an answer now would break the rate.</summary>
    public TimeSpan? TrySchedule()
    {
        var now = time.GetUtcNow();
        if (_lastAnswerAt is { } last && (last > now || now - last < minGap))
        {
            return null;
        }

        var delay = maxDelay * random();
        _lastAnswerAt = now + delay;
        return delay;
    }
}
