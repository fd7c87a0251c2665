using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Mesh;

/// <summary>
/// A live, verified session with a peer, as the mesh keeps it and as modules see it: who the peer is, where it
/// is, what the session carried, and the ways to talk to it. The secure channel underneath stays the mesh's.
/// </summary>
public sealed class PeerSession
{
    internal PeerSession(SecureSession secure, SessionDirection direction, IPEndPoint remote, DateTimeOffset startedAt)
    {
        Secure = secure;
        Direction = direction;
        Remote = remote;
        StartedAt = startedAt;
    }

    internal SecureSession Secure { get; }

    public SessionDirection Direction { get; }

    /// <summary>The TCP address of the other end.</summary>
    public IPEndPoint Remote { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The peer as its handshake proved it.</summary>
    public PeerIdentity Peer => Secure.Peer;

    public Fingerprint Fingerprint => Secure.Peer.Fingerprint;

    public string NodeId => Secure.Peer.NodeId;

    public string Sector => Secure.Peer.Sector;

    /// <summary>Where the peer can be dialled: its TCP source address with the listen port it announced (0: cannot).</summary>
    public IPEndPoint? DialAddress =>
        Direction == SessionDirection.Outbound ? Remote
        : Peer.ListenPort > 0 ? new IPEndPoint(Remote.Address, Peer.ListenPort) : null;

    public bool IsOpen => Secure.IsOpen;

    /// <summary>Round-trip time of the last keep-alive or check; null before the first.</summary>
    public TimeSpan? RoundTripTime => Secure.RoundTripTime;

    public long BytesIn => Secure.BytesIn;

    public long BytesOut => Secure.BytesOut;

    public DateTimeOffset LastActivityAt => Secure.LastActivityAt;

    /// <summary>How the session ended; null while it is open.</summary>
    public SessionCloseInfo? CloseInfo => Secure.CloseInfo;

    /// <summary>Completes when the session has closed.</summary>
    public Task Completion => Secure.Completion;

    /// <summary>Sends a notification (id 0).</summary>
    public ValueTask SendAsync(Envelope notification, CancellationToken cancellationToken) =>
        Secure.SendAsync(notification, cancellationToken);

    /// <summary>Sends a request and returns its answer, which may be an Error envelope.</summary>
    public Task<Envelope> RequestAsync(Envelope request, CancellationToken cancellationToken) =>
        Secure.RequestAsync(request, cancellationToken);

    /// <summary>Sends a request with several answers and yields each until <paramref name="isFinal"/> accepts one.</summary>
    public IAsyncEnumerable<Envelope> RequestManyAsync(Envelope request, Func<Envelope, bool> isFinal, CancellationToken cancellationToken) =>
        Secure.RequestManyAsync(request, isFinal, cancellationToken);

    /// <summary>Answers a request of the peer; each request gets exactly one final answer.</summary>
    public ValueTask ReplyAsync(Envelope request, Envelope answer, CancellationToken cancellationToken) =>
        Secure.ReplyAsync(request, answer, cancellationToken);

    /// <summary>Sends one of several answers to a request; <see cref="ReplyAsync"/> sends the last.</summary>
    public ValueTask ReplyPartialAsync(Envelope request, Envelope answer, CancellationToken cancellationToken) =>
        Secure.ReplyPartialAsync(request, answer, cancellationToken);

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken) => Secure.PingAsync(cancellationToken);

    /// <summary>Closes with Goodbye; <paramref name="reason"/> is what the peer is told.</summary>
    public Task CloseAsync(string reason, CancellationToken cancellationToken) => Secure.CloseAsync(reason, cancellationToken);

    /// <summary>The fingerprint of whoever opened the TCP connection; duplicate resolution keys on it.</summary>
    internal Fingerprint InitiatorFingerprint(Fingerprint self) => Direction == SessionDirection.Outbound ? self : Fingerprint;
}
