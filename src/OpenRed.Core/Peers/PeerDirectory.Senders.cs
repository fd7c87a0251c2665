using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>
/// Which peers' lists named each exchange candidate, in memory only: ranking prefers a candidate several peers
/// vouch for. After a restart the count starts over, which only makes the first ranking less informed.
/// </summary>
public sealed partial class PeerDirectory
{
    private readonly Dictionary<PeerAddress, HashSet<Fingerprint>> _senders = [];

    /// <summary>Distinct peers whose PeerExchange named <paramref name="address"/> during this run.</summary>
    public int SendersOf(PeerAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            return _senders.TryGetValue(address, out var set) ? set.Count : 0;
        }
    }

    // Called under the lock, after the candidate was stored.
    private void NoteSender(PeerAddress address, PeerSource source, Fingerprint? sender)
    {
        if (source != PeerSource.Exchange || sender is null)
        {
            return;
        }

        if (!_senders.TryGetValue(address, out var set))
        {
            _senders[address] = set = [];
        }

        // Bounded by the peers this node holds sessions with; the cap keeps a pathological churn from growing it.
        if (set.Count < 64)
        {
            set.Add(sender);
        }
    }
}
