using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;

namespace OpenRed.Core.Node;

/// <summary>
/// The node's one view of the network, for <c>map</c> and the dashboard: this node, every peer heard by the
/// lighthouse or connected by a session, and the sessions. Built by the node from the lighthouse's hints, the
/// session table, the links and the peer directory; renderers only draw it.
/// </summary>
public sealed record Constellation(
    ConstellationSelf Self,
    IReadOnlyList<ConstellationPeer> Peers,
    IReadOnlyList<SessionInfo> Sessions,
    LighthouseStatus Lighthouse,
    TimeSpan BeaconInterval,
    DateTimeOffset At)
{
    /// <summary>Peers known from the peer directory only (exchange, links, bootstrap): no beacon heard, no session now.</summary>
    public IReadOnlyList<ConstellationCandidate> Known { get; init; } = [];
}

/// <summary>This node as the map shows it; <see cref="ListenEndPoint"/> is the TCP endpoint bound.</summary>
public sealed record ConstellationSelf(string NodeId, Fingerprint Fingerprint, string Sector, IPEndPoint ListenEndPoint);

/// <summary>
/// One peer. <see cref="LastHeard"/> is null for a peer known only through its session (no beacon heard);
/// <see cref="Sources"/> says how the node learned of it (lighthouse, bootstrap, connect, link, exchange).
/// </summary>
public sealed record ConstellationPeer(
    Fingerprint Fingerprint,
    string NodeId,
    string Sector,
    IPEndPoint Address,
    LighthousePeerState State,
    bool SameSector,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastHeard,
    IReadOnlyList<string> Sources)
{
    public bool Heard => LastHeard is not null;
}
