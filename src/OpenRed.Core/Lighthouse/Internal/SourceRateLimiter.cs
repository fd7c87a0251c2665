using System.Net;
using OpenRed.Core.Limits;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// The receive budget of section 3: per source address, then in all. The per-source bucket is checked first so that
/// one flooding address spends only its own budget, not everyone's. Each bucket holds one second of its rate.
/// </summary>
internal sealed class SourceRateLimiter
{
    private readonly KeyedTokenBuckets<IPAddress> _sources;
    private readonly TokenBucket _global;

    public SourceRateLimiter(double perSource, double global, int maxSources, TimeProvider time)
    {
        _sources = new KeyedTokenBuckets<IPAddress>(perSource, perSource, maxSources, time);
        _global = new TokenBucket(global, global, time);
    }

    public int TrackedSources => _sources.Count;

    public BeaconRejection Check(IPAddress source)
    {
        if (!_sources.TryTake(source))
        {
            return BeaconRejection.SourceRateLimited;
        }

        return _global.TryTake() ? BeaconRejection.None : BeaconRejection.GlobalRateLimited;
    }
}
