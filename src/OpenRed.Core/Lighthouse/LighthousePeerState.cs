namespace OpenRed.Core.Lighthouse;

public enum LighthousePeerState
{
    /// <summary>Known from beacons only: a hint, its fingerprint not proven.</summary>
    Unverified,

    /// <summary>A handshake proved its fingerprint; no session now. Beacons no longer replace its address.</summary>
    Verified,

    /// <summary>A session with it is up.</summary>
    Connected,

    /// <summary>Gone (goodbye, expiry or eviction). Only seen in <see cref="PeerMap.PeerLost"/>.</summary>
    Lost,
}
