using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh;

/// <summary>
/// Why a session ended, as the mesh decides on it. Goodbye carries only text on the wire (section 12), so this is
/// the one place that text is written and read: everything else (redial policy, the prompt) uses the value.
/// </summary>
public enum SessionEnd
{
    /// <summary>The connection failed, or the peer stopped answering (idle, stalled send, failed check).</summary>
    Lost,

    /// <summary>The peer is stopping and may come back: worth a redial.</summary>
    PeerShuttingDown,

    /// <summary>The peer ended it on purpose (its user disconnected, or a reason we do not know).</summary>
    PeerLeft,

    /// <summary>The peer had no slot for us, kept another session with us, or rotated us out to meet someone new.</summary>
    PeerRefused,

    /// <summary>This node's user disconnected it.</summary>
    ClosedByUser,

    /// <summary>This node is stopping.</summary>
    LocalShutdown,

    /// <summary>This node closed it for a rule: duplicate, no slot, a protocol violation by the peer.</summary>
    ClosedByRule,
}

/// <summary>The Goodbye texts this node sends, and how it reads the peer's.</summary>
public static class GoodbyeReason
{
    public const string ShuttingDown = "shutting down";
    public const string ByUser = "disconnected by user";
    public const string Duplicate = "duplicate session";
    public const string SessionLimit = "session limit reached";
    public const string NoPingAnswer = "no answer to ping";

    /// <summary>A node at its session target made room to meet a peer it has not met yet (a node policy, no wire change).</summary>
    public const string Rotating = "rotating";

    /// <summary>How a closed session ended, from this node's point of view.</summary>
    public static SessionEnd Classify(SessionCloseInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Kind switch
        {
            SessionCloseKind.ConnectionLost or SessionCloseKind.IdleTimeout or SessionCloseKind.SendStalled => SessionEnd.Lost,
            SessionCloseKind.PeerGoodbye => info.Reason switch
            {
                ShuttingDown => SessionEnd.PeerShuttingDown,
                Duplicate or Rotating => SessionEnd.PeerRefused,
                _ when info.Reason.Contains("limit", StringComparison.Ordinal) || info.Reason.Contains("too many", StringComparison.Ordinal) => SessionEnd.PeerRefused,
                _ => SessionEnd.PeerLeft,
            },
            SessionCloseKind.Local => info.Reason switch
            {
                ByUser => SessionEnd.ClosedByUser,
                ShuttingDown => SessionEnd.LocalShutdown,
                NoPingAnswer => SessionEnd.Lost,
                _ => SessionEnd.ClosedByRule,
            },
            _ => SessionEnd.ClosedByRule,
        };
    }
}
