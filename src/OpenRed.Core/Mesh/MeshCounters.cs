namespace OpenRed.Core.Mesh;

/// <summary>What the mesh has done since start, for <c>status</c> and logs.</summary>
public sealed class MeshCounters
{
    private long _handshakesCompleted;
    private long _handshakesFailed;
    private long _connectionsRefused;
    private long _sessionsRefused;
    private long _duplicatesClosed;
    private long _violations;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _refusedBy = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _sessionsRefusedBy = new(StringComparer.Ordinal);

    public long HandshakesCompleted => Interlocked.Read(ref _handshakesCompleted);

    public long HandshakesFailed => Interlocked.Read(ref _handshakesFailed);

    /// <summary>Inbound connections closed before any cryptography (rates, handshakes in progress).</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Verified sessions closed for lack of a slot.</summary>
    public long SessionsRefused => Interlocked.Read(ref _sessionsRefused);

    public long DuplicatesClosed => Interlocked.Read(ref _duplicatesClosed);

    /// <summary>Sessions closed because the peer broke the protocol (a frame or message over a limit, a bad frame).</summary>
    public long ProtocolViolations => Interlocked.Read(ref _violations);

    /// <summary>Inbound connections refused before any cryptography, by the limit that applied.</summary>
    public IReadOnlyDictionary<string, long> ConnectionsRefusedBy => new SortedDictionary<string, long>(_refusedBy, StringComparer.Ordinal);

    /// <summary>Verified sessions not kept, by the limit that applied.</summary>
    public IReadOnlyDictionary<string, long> SessionsRefusedBy => new SortedDictionary<string, long>(_sessionsRefusedBy, StringComparer.Ordinal);

    internal void HandshakeCompleted() => Interlocked.Increment(ref _handshakesCompleted);

    internal void HandshakeFailed() => Interlocked.Increment(ref _handshakesFailed);

    internal void ConnectionRefused(string reason)
    {
        Interlocked.Increment(ref _connectionsRefused);
        _refusedBy.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }

    internal void SessionRefused(string reason)
    {
        Interlocked.Increment(ref _sessionsRefused);
        _sessionsRefusedBy.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }

    internal void Violation() => Interlocked.Increment(ref _violations);

    internal void DuplicateClosed() => Interlocked.Increment(ref _duplicatesClosed);
}
