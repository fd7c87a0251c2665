namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// When to send (section 3): solicit beacons at the burst offsets from start, then one every interval ± jitter,
/// each measured from the previous beacon. With no burst, the first steady beacon goes at once.
/// </summary>
internal sealed class BeaconSchedule(IReadOnlyList<TimeSpan> burst, TimeSpan interval, double jitter, Func<double> random)
{
    private int _index;
    private TimeSpan _previousOffset;

    public BeaconSchedule(LighthouseOptions options, Func<double> random)
        : this(options.StartBurst, options.Interval, options.Jitter, random)
    {
    }

    /// <summary>The delay after the previous beacon (or after start) and whether the beacon solicits answers.</summary>
    public (TimeSpan Delay, bool Solicit) Next()
    {
        var i = _index++;
        if (i < burst.Count)
        {
            var delay = burst[i] - _previousOffset;
            _previousOffset = burst[i];
            return (delay, true);
        }

        if (i == 0)
        {
            return (TimeSpan.Zero, false);
        }

        var factor = 1 + (jitter * ((2 * random()) - 1));
        return (interval * factor, false);
    }
}
