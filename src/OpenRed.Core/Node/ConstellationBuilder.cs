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
        return new Constellation(self, peers, sessions, node.LighthouseStatus, node.Options.BeaconInterval, node.Time.GetUtcNow())
        {
            Known = Known(node.Module<Peers.PeersModule>()?.Snapshot(), [.. peers.Select(p => p.Fingerprint)], node.Fingerprint),
        };
    }

    /// <summary>One entry per fingerprint the directory expects somewhere, not shown above: its best address first.</summary>
    private static List<ConstellationCandidate> Known(Peers.PeerDirectorySnapshot? directory, HashSet<Identity.Fingerprint> shown, Identity.Fingerprint self)
    {
        if (directory is null)
        {
            return [];
        }

        var now = directory.At;
        return
        [
            .. directory.Candidates
                .Where(c => c.Expected is { } f && f != self && !shown.Contains(f) && c.HasLiveSource(now))
                .GroupBy(c => c.Expected!)
                .Select(g =>
                {
                    var best = g.OrderByDescending(c => c.Verified).ThenByDescending(c => c.LastSuccess ?? DateTimeOffset.MinValue)
                        .ThenByDescending(c => c.LastHeard).First();
                    var sources = g.SelectMany(c => c.LiveSources(now)).Select(e => e.Source).Distinct().Order()
                        .Select(s => s.ToString().ToLowerInvariant()).ToList();
                    return new ConstellationCandidate(
                        g.Key, g.Select(c => c.NodeId).FirstOrDefault(n => n is not null), g.Select(c => c.Sector).FirstOrDefault(s => s is not null),
                        best.Address.Host, best.Address.Port, g.Any(c => c.Verified), g.Max(c => c.LastHeard),
                        g.Max(c => c.LastSuccess), sources);
                })
                .OrderBy(c => c.Sector ?? "", StringComparer.Ordinal)
                .ThenBy(c => c.NodeId ?? "", StringComparer.Ordinal)
                .ThenBy(c => c.Fingerprint),
        ];
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
