using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>One dial the scheduler asks the node to make.</summary>
/// <param name="Expected">The fingerprint the handshake must prove; null for a bootstrap address dialled the first time.</param>
public sealed record DialRequest(PeerAddress Address, Fingerprint? Expected);
