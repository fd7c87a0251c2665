namespace OpenRed.Core.Lighthouse;

/// <summary>Why a datagram was dropped. The codec returns the first group; the receiver adds the rest.</summary>
public enum BeaconRejection
{
    None = 0,

    /// <summary>Larger than the datagram limit (1200 bytes by default).</summary>
    TooLarge,

    /// <summary>Shorter than the 5-byte header.</summary>
    Truncated,
    BadMagic,
    BadVersion,

    /// <summary>The Beacon message does not parse.</summary>
    Malformed,
    BadFingerprint,
    BadNodeId,
    BadSector,
    BadPort,
    BadInterval,

    /// <summary>The source is not on the link of the receiving interface.</summary>
    NotOnLink,
    SourceRateLimited,
    GlobalRateLimited,

    /// <summary>The peer map is full and holds no unverified peer to evict.</summary>
    MapFull,
}
