using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security;

/// <summary>
/// Receives every envelope the session does not handle itself. For a request (id != 0) the handler runs on its
/// own task and MUST answer with <see cref="SecureSession.ReplyAsync"/> before it returns (the session answers
/// INTERNAL otherwise). A notification (id 0) is handled in order on the receive loop, so its handler must not
/// wait for an answer from the same session. A handler may call <see cref="SecureSession.CloseAsync"/>; that call
/// starts the close and returns without waiting for it. The token is cancelled when the session closes.
/// </summary>
public delegate ValueTask SessionRequestHandler(SecureSession session, Envelope envelope, CancellationToken cancellationToken);
