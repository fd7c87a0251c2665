namespace OpenRed.Core.Limits;

/// <summary>
/// One token bucket per key (a source address, say), holding one second of its rate. Idle buckets are forgotten
/// when the table is full, so a flood of distinct keys cannot grow it. Not thread-safe.
/// </summary>
internal sealed class KeyedTokenBuckets<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TokenBucket> _buckets = [];
    private readonly double _rate;
    private readonly double _burst;
    private readonly int _maxKeys;
    private readonly TimeProvider _time;

    public KeyedTokenBuckets(double ratePerSecond, double burst, int maxKeys, TimeProvider time)
    {
        _rate = ratePerSecond;
        _burst = burst;
        _maxKeys = maxKeys;
        _time = time;
    }

    public int Count => _buckets.Count;

    /// <summary>False when the key is over its budget, or when too many keys are busy at once to track a new one.</summary>
    public bool TryTake(TKey key)
    {
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= _maxKeys && !ForgetIdle())
            {
                return false;
            }

            bucket = new TokenBucket(_rate, _burst, _time);
            _buckets.Add(key, bucket);
        }

        return bucket.TryTake();
    }

    private bool ForgetIdle()
    {
        foreach (var (key, bucket) in _buckets.ToList())
        {
            if (bucket.IsFull())
            {
                _buckets.Remove(key);
            }
        }

        return _buckets.Count < _maxKeys;
    }
}
