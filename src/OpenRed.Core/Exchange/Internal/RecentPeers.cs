using System.Net;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Exchange.Internal;

/// <summary>A peer this node held a verified session with, as a PeerExchange lists it.</summary>
internal sealed record RecentPeer(Fingerprint Fingerprint, string NodeId, string Sector, IPEndPoint DialAddress, DateTimeOffset LastSeen);

/// <summary>
/// The peers with a verified session now or within <see cref="ExchangeOptions.ListedFor"/> (section 7), in memory:
/// after a restart the node lists only what it has met since, which errs on the side of listing less. Unlisted
/// peers and peers that gave no listen port are never recorded. Thread-safe.
/// </summary>
internal sealed class RecentPeers
{
    private readonly Dictionary<Fingerprint, Entry> _peers = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    public void Opened(Fingerprint fingerprint, string nodeId, string sector, IPEndPoint dialAddress, DateTimeOffset now)
    {
        lock (_lock)
        {
            var open = _peers.TryGetValue(fingerprint, out var old) ? old.Open : 0;
            _peers[fingerprint] = new Entry(new RecentPeer(fingerprint, nodeId, sector, dialAddress, now), open + 1);
        }
    }

    public void Closed(Fingerprint fingerprint, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_peers.TryGetValue(fingerprint, out var old))
            {
                _peers[fingerprint] = new Entry(old.Peer with { LastSeen = now }, Math.Max(0, old.Open - 1));
            }
        }
    }

    /// <summary>Every peer listable at <paramref name="now"/>, the most recently seen first; drops those past the hour.</summary>
    public List<RecentPeer> Listable(DateTimeOffset now, TimeSpan listedFor)
    {
        lock (_lock)
        {
            foreach (var gone in _peers.Where(p => p.Value.Open == 0 && now - p.Value.Peer.LastSeen > listedFor).Select(p => p.Key).ToList())
            {
                _peers.Remove(gone);
            }

            return
            [
                .. _peers.Values
                    .Select(e => e.Open > 0 ? e.Peer with { LastSeen = now } : e.Peer)
                    .OrderByDescending(p => p.LastSeen)
                    .ThenBy(p => p.Fingerprint),
            ];
        }
    }

    private sealed record Entry(RecentPeer Peer, int Open);
}
