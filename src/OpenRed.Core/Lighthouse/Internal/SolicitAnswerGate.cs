namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// Section 3, sending rule 3: answer a solicit after a random 0–max delay, from a token bucket of answers (4 a
/// second, burst 4, by default). An answer already pending covers every solicit that arrives before it goes out,
/// since it goes to the whole group. A solicit that finds the bucket empty is answered as soon as a token is due,
/// not dropped: otherwise a node that starts just after others would hear nothing until their next regular beacon.
/// Tokens are taken at the moment each answer goes out, so the rate holds between answers, delays included.
/// Single-threaded (the receive loop).
/// </summary>
internal sealed class SolicitAnswerGate
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeSpan _maxDelay;
    private readonly Func<double> _random;
    private readonly TimeProvider _time;
    private double _tokens;
    private DateTimeOffset? _stamp;

    public SolicitAnswerGate(double ratePerSecond, double burst, TimeSpan maxDelay, Func<double> random, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _rate = ratePerSecond;
        _burst = burst;
        _maxDelay = maxDelay;
        _random = random;
        _time = time;
        _tokens = burst;
    }

    public SolicitAnswerGate(LighthouseOptions options, Func<double> random, TimeProvider time)
        : this(options.SolicitAnswerRate, options.SolicitAnswerBurst, options.SolicitAnswerMaxDelay, random, time)
    {
    }

    /// <summary>The delay after which to send an answer, or null when an answer is already pending.</summary>
    public TimeSpan? TrySchedule()
    {
        var now = _time.GetUtcNow();

        // The last scheduled answer is the bucket's stamp; while it lies ahead, that answer is still pending.
        if (_stamp is { } pending && pending > now)
        {
            return null;
        }

        var available = TokensAt(now);
        var earliest = available >= 1 ? now : now + TimeSpan.FromSeconds((1 - available) / _rate);
        var at = earliest + (_maxDelay * _random());
        _tokens = TokensAt(at) - 1;
        _stamp = at;
        return at - now;
    }

    private double TokensAt(DateTimeOffset t) =>
        _stamp is { } stamp ? Math.Min(_burst, _tokens + (Math.Max(0, (t - stamp).TotalSeconds) * _rate)) : _burst;
}
