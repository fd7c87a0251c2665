namespace OpenRed.Core.Peers.Internal;

/// <summary>What the policy says about one candidate; the last three mean "dial it" and rank in this order.</summary>
internal enum DialVerdict
{
    Self,
    Blocked,
    NoLiveSource,
    Connected,
    Quiet,
    BeaconAttemptsUsed,

    /// <summary>Known only from beacons, of another sector or with the lower fingerprint: it dials us, or no one does.</summary>
    NotOurs,

    /// <summary>A session this node dialled was lost: redial regardless of the target.</summary>
    Reconnect,

    /// <summary>A beacon peer of our sector with a higher fingerprint (section 3): dial regardless of the target.</summary>
    AutoConnect,

    /// <summary>A bootstrap, connect, link or exchange candidate: dial only while below the target number of sessions.</summary>
    FillTarget,
}
