namespace OpenRed.Core.Peers;

/// <summary>Why a dial did not produce a session; typed so that policy never parses reason text.</summary>
public enum DialFailure
{
    /// <summary>No TCP connection: refused, unreachable, timed out, or the host name did not resolve.</summary>
    Unreachable,

    /// <summary>Connected, but the handshake failed or timed out.</summary>
    HandshakeFailed,

    /// <summary>The handshake proved a fingerprint other than the expected one.</summary>
    FingerprintMismatch,

    /// <summary>The peer turned us away (full, busy, or an Error frame).</summary>
    Refused,

    /// <summary>The address is this node itself (the handshake met our own fingerprint); it is never dialled again.</summary>
    Self,

    /// <summary>The node would not dial: session limit reached, or it is stopping. Not held against the candidate.</summary>
    NotAttempted,
}
