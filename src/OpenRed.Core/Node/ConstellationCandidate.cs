using OpenRed.Core.Identity;

namespace OpenRed.Core.Node;

/// <summary>
/// A peer the node knows of from its peer directory (a link, a bootstrap address that answered, a peer-exchange
/// entry) that is neither heard on the LAN nor in a session now. Node-id and sector are what a source claimed,
/// null when none did; <see cref="Verified"/> is true when a handshake at that address proved the fingerprint.
/// </summary>
public sealed record ConstellationCandidate(
    Fingerprint Fingerprint,
    string? NodeId,
    string? Sector,
    string Host,
    int Port,
    bool Verified,
    DateTimeOffset LastHeard,
    DateTimeOffset? LastSuccess,
    IReadOnlyList<string> Sources);
