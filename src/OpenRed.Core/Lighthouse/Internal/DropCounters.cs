namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>Dropped datagrams by reason; written by the receive loop, read by anyone.</summary>
internal sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<BeaconRejection>().Length];

    public void Add(BeaconRejection reason) => Interlocked.Increment(ref _counts[(int)reason]);

    public long this[BeaconRejection reason] => Volatile.Read(ref _counts[(int)reason]);

    /// <summary>Only the reasons seen at least once.</summary>
    public IReadOnlyDictionary<BeaconRejection, long> Snapshot()
    {
        var result = new Dictionary<BeaconRejection, long>();
        foreach (var reason in Enum.GetValues<BeaconRejection>())
        {
            var n = this[reason];
            if (reason != BeaconRejection.None && n > 0)
            {
                result[reason] = n;
            }
        }

        return result;
    }
}
