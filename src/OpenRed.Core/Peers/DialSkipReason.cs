namespace OpenRed.Core.Peers;

/// <summary>Why a candidate the scheduler would otherwise dial was not dialled; counted once per candidate and episode.</summary>
public enum DialSkipReason
{
    /// <summary>The candidate is this node (own fingerprint or own listen address).</summary>
    Self,

    /// <summary>The candidate's fingerprint is blocked.</summary>
    Blocked,

    /// <summary>The candidate was due but waited for the node-wide dial budget (section 11: one a second).</summary>
    Rate,

    /// <summary>A beacon-only candidate used its attempts and waits to be heard anew.</summary>
    BeaconAttemptsUsed,
}
