namespace OpenRed.Core.Security;

/// <summary>Why a handshake was aborted. Callers may log it or count it; none of them is retried with another version.</summary>
public enum HandshakeFailure
{
    /// <summary>A body is not the expected protobuf message, a field has the wrong length, or a frame is out of bounds.</summary>
    Malformed,

    /// <summary>REQUEST carried a version other than 1.</summary>
    UnsupportedVersion,

    /// <summary>The X25519 result was all zero: the peer's ephemeral key is a low-order point.</summary>
    InvalidKeyShare,

    /// <summary>The sealed Auth did not open: wrong keys, a different transcript, or tampering.</summary>
    DecryptionFailed,

    /// <summary>The peer's Identity breaks sections 2 or 11 (key, node-id, sector, port).</summary>
    InvalidIdentity,

    /// <summary>The peer's signature over the transcript does not verify with the key in its Identity.</summary>
    InvalidSignature,

    /// <summary>The peer has our own fingerprint: this node connected to itself.</summary>
    SelfConnection,

    /// <summary>The initiator dialled an expected fingerprint and reached another node.</summary>
    UnexpectedPeer,

    /// <summary>The responder blocks this peer locally.</summary>
    BlockedPeer,

    /// <summary>A deadline of <see cref="HandshakeOptions"/> passed.</summary>
    Timeout,

    /// <summary>The stream ended or failed before the handshake finished.</summary>
    ConnectionClosed,

    /// <summary>Something failed on this side that is none of the above (a bug, resource exhaustion); the peer may be blameless.</summary>
    LocalError,
}
