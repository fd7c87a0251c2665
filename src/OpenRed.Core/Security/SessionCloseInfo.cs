namespace OpenRed.Core.Security;

/// <summary>Why a secure session ended.</summary>
public enum SessionCloseKind
{
    /// <summary>This node closed it (<see cref="SecureSession.CloseAsync"/> or dispose).</summary>
    Local,

    /// <summary>The peer sent Goodbye.</summary>
    PeerGoodbye,

    /// <summary>The connection ended or failed without a Goodbye.</summary>
    ConnectionLost,

    /// <summary>The peer broke the protocol (bad frame, frame that failed to open, envelope without body, ...).</summary>
    Violation,

    /// <summary>Nothing was received for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The peer did not take our frames for the send timeout.</summary>
    SendStalled,
}

/// <summary>How and why a session ended; the first cause wins.</summary>
public sealed record SessionCloseInfo(SessionCloseKind Kind, string Reason, DateTimeOffset ClosedAt)
{
    public bool ByPeerGoodbye => Kind == SessionCloseKind.PeerGoodbye;

    public bool IsViolation => Kind == SessionCloseKind.Violation;
}
