namespace OpenRed.Core.Security;

/// <summary>A finished handshake: who the peer proved to be and the keys of the session. Dispose erases the keys.</summary>
public sealed class HandshakeResult : IDisposable
{
    public HandshakeResult(PeerIdentity peer, SessionKeys keys, bool isInitiator)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(keys);
        Peer = peer;
        Keys = keys;
        IsInitiator = isInitiator;
    }

    public PeerIdentity Peer { get; }

    public SessionKeys Keys { get; }

    /// <summary>True when this side opened the connection (I); false for the responder (R).</summary>
    public bool IsInitiator { get; }

    public void Dispose() => Keys.Dispose();
}
