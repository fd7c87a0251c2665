using OpenRed.Core.Identity;

namespace OpenRed.Core.Modules;

/// <summary>
/// A module that has a say about peers as a whole (the social layer: blocked peers, friends). The handshake, the
/// session table and the dial policy ask every such module; none of them knows which module answers.
/// </summary>
internal interface IPeerPolicy
{
    /// <summary>Refused in the handshake and never dialled.</summary>
    bool IsBlocked(Fingerprint fingerprint);

    /// <summary>Gets a session slot even when the node is full (section 7).</summary>
    bool IsFriend(Fingerprint fingerprint);
}
