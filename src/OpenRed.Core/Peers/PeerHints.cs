using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>What a source says about a candidate besides its address; every field is optional and unverified.</summary>
/// <param name="Sector">The sector a beacon announced: auto-connect dials only peers of its own sector.</param>
/// <param name="NodeId">The node-id a beacon or exchange entry announced, for display.</param>
/// <param name="Sender">The peer whose <c>PeerExchange</c> listed the candidate.</param>
public sealed record PeerHints(string? Sector = null, string? NodeId = null, Fingerprint? Sender = null)
{
    public static PeerHints None { get; } = new();
}
