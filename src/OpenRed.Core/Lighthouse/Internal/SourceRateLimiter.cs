using System.Net;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// The receive budget of section 3: per source address, then in all. The per-source bucket is checked first so that
/// one flooding address spends only its own budget, not everyone's. Each bucket holds one second of its rate.
/// </summary>
internal sealed class SourceRateLimiter
{
    private readonly Dictionary<IPAddress, TokenBucket> _sources = [];
    private readonly TokenBucket _global;
    private readonly double _perSource;
    private readonly int _maxSources;
    private readonly TimeProvider _time;

    public SourceRateLimiter(double perSource, double global, int maxSources, TimeProvider time)
    {
        _perSource = perSource;
        _maxSources = maxSources;
        _time = time;
        _global = new TokenBucket(global, global, time);
    }

    public int TrackedSources => _sources.Count;

    public BeaconRejection Check(IPAddress source)
    {
        if (!_sources.TryGetValue(source, out var bucket))
        {
            if (_sources.Count >= _maxSources && !ForgetIdleSources())
            {
                return BeaconRejection.SourceRateLimited;
            }

            bucket = new TokenBucket(_perSource, _perSource, _time);
            _sources.Add(source, bucket);
        }

        if (!bucket.TryTake())
        {
            return BeaconRejection.SourceRateLimited;
        }

        return _global.TryTake() ? BeaconRejection.None : BeaconRejection.GlobalRateLimited;
    }

    private bool ForgetIdleSources()
    {
        foreach (var (address, bucket) in _sources.ToList())
        {
            if (bucket.IsFull())
            {
                _sources.Remove(address);
            }
        }

        return _sources.Count < _maxSources;
    }
}
