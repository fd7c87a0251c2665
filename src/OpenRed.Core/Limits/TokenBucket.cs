namespace OpenRed.Core.Limits;

/// <summary>A token bucket on <see cref="TimeProvider"/> timestamps. Not thread-safe: one owner, or a lock around it.</summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _stamp;

    public TokenBucket(double ratePerSecond, double capacity, TimeProvider time)
    {
        _rate = ratePerSecond;
        _capacity = capacity;
        _time = time;
        _tokens = capacity;
        _stamp = time.GetTimestamp();
    }

    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>True when the bucket has refilled completely, so forgetting it changes nothing.</summary>
    public bool IsFull()
    {
        Refill();
        return _tokens >= _capacity;
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        if (elapsed > 0)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed * _rate));
        }
    }
}
