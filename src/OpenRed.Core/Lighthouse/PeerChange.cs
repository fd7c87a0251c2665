namespace OpenRed.Core.Lighthouse;

/// <summary>What happened to a peer, carried by every <see cref="LighthousePeerEventArgs"/>.</summary>
public enum PeerChange
{
    /// <summary>First beacon from this fingerprint (PeerDiscovered).</summary>
    Discovered,

    /// <summary>A new instance value: the peer restarted (PeerUpdated, or PeerNeedsCheck if verified).</summary>
    Restarted,

    /// <summary>A beacon from a new address (PeerUpdated, or PeerNeedsCheck with a candidate if verified).</summary>
    AddressChanged,

    /// <summary>node-id or sector changed (PeerUpdated).</summary>
    LabelsChanged,

    /// <summary>The mesh reported a session up (PeerUpdated).</summary>
    SessionUp,

    /// <summary>The mesh reported the session down (PeerUpdated).</summary>
    SessionDown,

    /// <summary>Goodbye beacon (PeerLost, or PeerNeedsCheck while a session is up).</summary>
    Goodbye,

    /// <summary>No beacon for ExpiryFactor × interval (PeerLost, or PeerNeedsCheck once while a session is up).</summary>
    Expired,

    /// <summary>Removed to make room (PeerLost).</summary>
    Evicted,
}
