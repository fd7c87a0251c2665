using OpenRed.Core.Identity;

namespace OpenRed.Core.Security;

/// <summary>What this node says about itself in a handshake's Identity message.</summary>
public sealed record LocalIdentity(NodeIdentity Keys, string NodeId, string Sector, int ListenPort, bool Unlisted = false);
