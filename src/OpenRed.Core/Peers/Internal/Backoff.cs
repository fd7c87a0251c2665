namespace OpenRed.Core.Peers.Internal;

/// <summary>The one backoff policy of the scheduler: doubling from a minimum to a maximum, with jitter.</summary>
internal static class Backoff
{
    /// <param name="failures">Consecutive failures so far; none means no wait.</param>
    /// <param name="unit">A uniform random number in [0, 1): the jitter.</param>
    public static TimeSpan Delay(int failures, PeerOptions options, double unit)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var doubled = options.BackoffMin.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 40));
        var capped = Math.Min(doubled, options.BackoffMax.TotalSeconds);
        var factor = 1 + (options.BackoffJitter * ((2 * unit) - 1));
        return TimeSpan.FromSeconds(capped * factor);
    }
}
