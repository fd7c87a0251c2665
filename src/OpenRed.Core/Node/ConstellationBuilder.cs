using OpenRed.Core.Lighthouse;

namespace OpenRed.Core.Node;

/// <summary>Joins the lighthouse's peers with the sessions, the links and the peer directory into one <see cref="Constellation"/>.</summary>
internal static class ConstellationBuilder
{
    public static Constellation Build(OpenRedNode node)
    {
        var sessions = node.GetSessions();
        var heard = node.PeerMap.Snapshot();
        var sources = node.PeerSources();
        var peers = heard
            .Select(p => Peer(p, node.Sector, Sources(sources, p.Fingerprint, "lighthouse")))
            .Concat(sessions.Where(s => !heard.Any(p => p.Fingerprint == s.Fingerprint)).Select(s => new ConstellationPeer(
                s.Fingerprint, s.NodeId, s.Sector, s.ListenAddress, LighthousePeerState.Connected, s.Sector == node.Sector,
                null, null, Sources(sources, s.Fingerprint, null))))
            .OrderBy(p => p.Sector, StringComparer.Ordinal)
            .ThenBy(p => p.NodeId, StringComparer.Ordinal)
            .ThenBy(p => p.Fingerprint)
            .ToList();
        var self = new ConstellationSelf(node.NodeId, node.Fingerprint, node.Sector, node.ListenEndPoint);
        return new Constellation(self, peers, sessions, node.LighthouseStatus, node.Options.BeaconInterval, node.Time.GetUtcNow());
    }

    public static ConstellationPeer Peer(LighthousePeer p, string ownSector, IReadOnlyList<string> sources) => new(
        p.Fingerprint, p.NodeId, p.Sector, p.Address, p.State, p.Sector == ownSector, p.FirstSeen, p.LastHeard, sources);

    private static IReadOnlyList<string> Sources(IReadOnlyDictionary<Identity.Fingerprint, IReadOnlyList<string>> known, Identity.Fingerprint fingerprint, string? heard)
    {
        var list = known.TryGetValue(fingerprint, out var s) ? s.ToList() : [];
        if (heard is not null && !list.Contains(heard))
        {
            list.Insert(0, heard);
        }

        return list;
    }
}
