namespace OpenRed.Core.Security;

/// <summary>
/// The one exception a handshake throws for anything the peer, the clock or the connection caused
/// (malformed input included, with <see cref="HandshakeFailure.Malformed"/>). The message is short and
/// never contains key material. Cancellation by the caller's token is an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class HandshakeFailedException : Exception
{
    public HandshakeFailedException(HandshakeFailure reason, string message)
        : base(message) => Reason = reason;

    public HandshakeFailedException(HandshakeFailure reason, string message, Exception inner)
        : base(message, inner) => Reason = reason;

    public HandshakeFailedException() { }

    public HandshakeFailedException(string message) : base(message) { }

    public HandshakeFailedException(string message, Exception inner) : base(message, inner) { }

    public HandshakeFailure Reason { get; }
}
