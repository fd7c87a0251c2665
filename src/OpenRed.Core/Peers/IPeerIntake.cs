using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>
/// What another module (peer exchange) may tell the dial policy: addresses it learned, and peers that broke a rule.
/// The peer directory never knows who calls it; the dependency goes one way.
/// </summary>
internal interface IPeerIntake
{
    /// <summary>
    /// Adds a candidate to the directory; false when the directory refused it (an address known otherwise, a
    /// contradicting verified fingerprint, a full directory) or is not running.
    /// </summary>
    bool AddCandidate(PeerAddress address, PeerSource source, Fingerprint expected, PeerHints hints);

    /// <summary>The peer broke a rule and was disconnected: no automatic dial until it is heard anew (persisted).</summary>
    void MarkQuiet(Fingerprint peer);
}
