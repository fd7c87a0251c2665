using OpenRed.Core.Identity;

namespace OpenRed.Core.Security;

/// <summary>The other side's identity as a handshake proved it.</summary>
public sealed record PeerIdentity(
    Fingerprint Fingerprint,
    byte[] PublicKey,
    string NodeId,
    string Sector,
    int ListenPort,
    bool Unlisted);
