namespace OpenRed.Core.Lighthouse;

/// <summary>What <see cref="PeerMap.Observe"/> did with one beacon.</summary>
public enum BeaconObservation
{
    /// <summary>A new peer was added.</summary>
    Discovered,

    /// <summary>A known peer with a new instance.</summary>
    Restarted,

    /// <summary>A known peer whose address or labels changed.</summary>
    Updated,

    /// <summary>Nothing changed but the time it was last heard.</summary>
    Refreshed,

    /// <summary>A goodbye removed the peer.</summary>
    Removed,

    /// <summary>The beacon touched a verified peer's session: the mesh was asked to check (PeerNeedsCheck).</summary>
    CheckRequested,

    /// <summary>Nothing to do (goodbye of an unknown peer or of an older instance).</summary>
    Ignored,

    /// <summary>The map is full and nothing could be evicted.</summary>
    Rejected,
}
