using OpenRed.Core.Identity;

namespace OpenRed.Core.Lighthouse;

/// <summary>
/// What the node tells the map about a peer a handshake proved: its labels and listen port. The lighthouse takes it
/// as a fact that beacons may not overturn (section 3); it does not know where the fact came from.
/// </summary>
public sealed record VerifiedPeer(Fingerprint Fingerprint, string NodeId, string Sector, int ListenPort);
