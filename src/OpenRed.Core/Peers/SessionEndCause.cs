namespace OpenRed.Core.Peers;

/// <summary>
/// Why a session ended, as the node tells the scheduler. The first four mean "the peer is probably still there":
/// a session this node dialled is redialled with backoff for <see cref="PeerOptions.ReconnectFor"/>. A deliberate
/// end (<see cref="PeerLeft"/>, <see cref="ClosedByUser"/>, <see cref="Violation"/>) makes the peer quiet: no
/// automatic dial until it is heard anew or a person connects to it. The rest change nothing.
/// </summary>
public enum SessionEndCause
{
    /// <summary>The connection broke (reset, EOF without Goodbye, a failed ping check).</summary>
    ConnectionLost,

    /// <summary>Nothing arrived within the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The peer stopped reading: our send queue stayed full too long.</summary>
    SendStalled,

    /// <summary>The peer sent Goodbye because it is stopping; it may be back soon.</summary>
    PeerShuttingDown,

    /// <summary>The peer sent Goodbye on purpose (its user disconnected us).</summary>
    PeerLeft,

    /// <summary>Our user disconnected the peer.</summary>
    ClosedByUser,

    /// <summary>This node is stopping.</summary>
    LocalShutdown,

    /// <summary>The peer broke the protocol and was disconnected.</summary>
    Violation,

    /// <summary>Another session with the same peer won (simultaneous dials); the peer is still connected.</summary>
    Duplicate,

    /// <summary>This node closed the session to make room (slot limits of section 7).</summary>
    Evicted,
}
