using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers.Internal;

/// <summary>
/// Session rotation as pure functions (a node policy, no wire change; Bitcoin's feeler and eviction idea). A node
/// that holds its target of sessions stops dialling, so its sessions, and the lists they carry, stop changing: in a
/// chain each node would know two hops. At the target, while the directory holds exchange entries whose fingerprint
/// no handshake has proved, the node closes one outbound session now and then so that the fill dials one of them.
/// It stops by itself: each such entry is dialled once, and then it is either proved or has failed; and an entry
/// heard more than <see cref="PeerOptions.NewCandidateFor"/> ago no longer counts.
/// </summary>
internal static class SessionRotation
{
    /// <summary>Fingerprints some handshake proved, at any address: they are not new.</summary>
    public static HashSet<Fingerprint> Proven(IEnumerable<PeerCandidate> all) =>
        [.. all.Where(c => c.Expected is not null && (c.Verified || c.LastSuccess is not null)).Select(c => c.Expected!)];

    /// <summary>
    /// A candidate worth a rotation: wanted for the fill, named by a live exchange entry, of a fingerprint no handshake
    /// proved, never dialled without success (a dead entry never costs a session twice), first heard less than
    /// <paramref name="freshFor"/> ago (zero: no limit).
    /// </summary>
    public static bool IsNew(
        PeerCandidate c, DialVerdict verdict, DateTimeOffset now, IReadOnlySet<Fingerprint> proven, TimeSpan freshFor = default) =>
        verdict == DialVerdict.FillTarget
        && (freshFor <= TimeSpan.Zero || now - c.FirstHeard < freshFor)
        && c.Has(PeerSource.Exchange, now)
        && c.Expected is { } fp && !proven.Contains(fp)
        && c.LastSuccess is null && c.ConsecutiveFailures == 0;

    /// <summary>
    /// Fingerprints whose session is never rotated: a person or a flag asked for them (a connect, a --bootstrap
    /// address, the node's way back into the network), or the lighthouse hears them (a LAN neighbour is auto-connected
    /// regardless of the target, so closing it would only bring it back).
    /// </summary>
    public static HashSet<Fingerprint> Kept(IEnumerable<PeerCandidate> all, DateTimeOffset now) =>
    [
        .. all.Where(c => c.Expected is not null
                && (c.Has(PeerSource.Connect, now) || c.Has(PeerSource.Bootstrap, now) || c.Has(PeerSource.Lighthouse, now)))
            .Select(c => c.Expected!),
    ];

    /// <summary>
    /// The session to close: the least recently active one this node dialled, never a friend's or a kept one; an
    /// inbound session was the peer's choice and stays. Null when none qualifies.
    /// </summary>
    public static SessionView? Victim(IEnumerable<SessionView> sessions, IReadOnlySet<Fingerprint> kept) =>
        sessions.Where(s => s.Outbound && !s.Friend && !kept.Contains(s.Peer)).MinBy(s => s.LastActivity);
}
