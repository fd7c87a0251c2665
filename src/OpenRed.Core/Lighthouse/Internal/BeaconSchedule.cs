namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// When to send (section 3): solicit beacons at the burst offsets from start, then one every interval ± jitter,
/// each measured from the previous beacon. With no burst, the first steady beacon goes at once. When the interval
/// is shorter than a gap in the burst (a 1 s interval against the 2→6 s gap), steady beacons fill the gap: peers
/// expire us after three intervals, so no gap may be longer than one.
/// </summary>
internal sealed class BeaconSchedule(IReadOnlyList<TimeSpan> burst, TimeSpan interval, double jitter, Func<double> random)
{
    private int _index;
    private bool _started;
    private TimeSpan _previousOffset;

    public BeaconSchedule(LighthouseOptions options, Func<double> random)
        : this(options.StartBurst, options.Interval, options.Jitter, random)
    {
    }

    /// <summary>The delay after the previous beacon (or after start) and whether the beacon solicits answers.</summary>
    public (TimeSpan Delay, bool Solicit) Next()
    {
        if (!_started && burst.Count == 0)
        {
            _started = true;
            return (TimeSpan.Zero, false);
        }

        var steady = Steady();
        if (_index < burst.Count)
        {
            var nextBurst = burst[_index];
            if (_started && _previousOffset + steady < nextBurst)
            {
                _previousOffset += steady;
                return (steady, false);
            }

            _index++;
            _started = true;
            var delay = nextBurst - _previousOffset;
            _previousOffset = nextBurst;
            return (delay, true);
        }

        _started = true;
        return (steady, false);
    }

    private TimeSpan Steady() => interval * (1 + (jitter * ((2 * random()) - 1)));
}
