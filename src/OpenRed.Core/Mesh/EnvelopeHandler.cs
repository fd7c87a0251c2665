using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Mesh;

/// <summary>
/// A module's handler for the envelope kinds it registered. For a request (id != 0) it runs on its own task and
/// must answer with <see cref="PeerSession.ReplyAsync"/> before it returns (the session answers INTERNAL
/// otherwise). A notification (id 0) is handled in order on the session's receive loop, so its handler must be
/// quick and must not wait for an answer from the same session. The token is cancelled when the session closes.
/// </summary>
public delegate ValueTask EnvelopeHandler(PeerSession session, Envelope envelope, CancellationToken cancellationToken);
