using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh;

/// <summary>A live, verified session with a peer, as the mesh keeps it.</summary>
public sealed class PeerSession
{
    internal PeerSession(SecureSession secure, SessionDirection direction, IPEndPoint remote, DateTimeOffset startedAt)
    {
        Secure = secure;
        Direction = direction;
        Remote = remote;
        StartedAt = startedAt;
    }

    public SecureSession Secure { get; }

    public SessionDirection Direction { get; }

    /// <summary>The TCP address of the other end.</summary>
    public IPEndPoint Remote { get; }

    public DateTimeOffset StartedAt { get; }

    public PeerIdentity Peer => Secure.Peer;

    public Fingerprint Fingerprint => Secure.Peer.Fingerprint;

    /// <summary>Where the peer can be dialled: its TCP source address with the listen port it announced (0: cannot).</summary>
    public IPEndPoint? DialAddress =>
        Direction == SessionDirection.Outbound ? Remote
        : Peer.ListenPort > 0 ? new IPEndPoint(Remote.Address, Peer.ListenPort) : null;

    /// <summary>The fingerprint of whoever opened the TCP connection; duplicate resolution keys on it.</summary>
    internal Fingerprint InitiatorFingerprint(Fingerprint self) => Direction == SessionDirection.Outbound ? self : Fingerprint;
}
