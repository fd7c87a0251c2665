using System.Net;

namespace OpenRed.Core.Lighthouse;

public sealed class LighthousePeerEventArgs(LighthousePeer peer, PeerChange change, IPEndPoint? candidate = null, string? detail = null) : EventArgs
{
    /// <summary>The entry after the change; for PeerLost, the last entry with state Lost.</summary>
    public LighthousePeer Peer { get; } = peer;

    public PeerChange Change { get; } = change;

    /// <summary>For PeerNeedsCheck: the address the beacon came from, to dial with the verified fingerprint expected.</summary>
    public IPEndPoint? Candidate { get; } = candidate;

    /// <summary>For an eviction: the limit that applied, for people.</summary>
    public string? Detail { get; } = detail;
}
