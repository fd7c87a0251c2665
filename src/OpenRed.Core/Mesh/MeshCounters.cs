namespace OpenRed.Core.Mesh;

/// <summary>What the mesh has done since start, for <c>status</c> and logs.</summary>
public sealed class MeshCounters
{
    private long _handshakesCompleted;
    private long _handshakesFailed;
    private long _connectionsRefused;
    private long _sessionsRefused;
    private long _duplicatesClosed;

    public long HandshakesCompleted => Interlocked.Read(ref _handshakesCompleted);

    public long HandshakesFailed => Interlocked.Read(ref _handshakesFailed);

    /// <summary>Inbound connections closed before any cryptography (rates, handshakes in progress).</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Verified sessions closed for lack of a slot.</summary>
    public long SessionsRefused => Interlocked.Read(ref _sessionsRefused);

    public long DuplicatesClosed => Interlocked.Read(ref _duplicatesClosed);

    internal void HandshakeCompleted() => Interlocked.Increment(ref _handshakesCompleted);

    internal void HandshakeFailed() => Interlocked.Increment(ref _handshakesFailed);

    internal void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);

    internal void SessionRefused() => Interlocked.Increment(ref _sessionsRefused);

    internal void DuplicateClosed() => Interlocked.Increment(ref _duplicatesClosed);
}
