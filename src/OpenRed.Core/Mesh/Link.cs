using OpenRed.Core.Identity;

namespace OpenRed.Core.Mesh;

/// <summary>A peer this node has verified by a handshake at least once (section 5, "the permanent link").</summary>
public sealed record Link(
    Fingerprint Fingerprint,
    byte[] PublicKey,
    string NodeId,
    string Address,
    int Port,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    bool Pinned = false);
