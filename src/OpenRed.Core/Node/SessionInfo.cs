using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;

namespace OpenRed.Core.Node;

/// <summary>A live session as a snapshot: what <c>peers</c>, <c>map</c> and the events show. Never a handle on the session.</summary>
public sealed record SessionInfo(
    Fingerprint Fingerprint,
    string NodeId,
    string Sector,
    SessionDirection Direction,
    IPEndPoint Remote,
    IPEndPoint? DialAddress,
    DateTimeOffset StartedAt,
    TimeSpan? RoundTripTime,
    long BytesIn,
    long BytesOut,
    string SessionId,
    bool ImpersonationWarning)
{
    /// <summary>Where the peer listens: its dial address when known, else its address on this connection with port 0.</summary>
    public IPEndPoint ListenAddress => DialAddress ?? new IPEndPoint(Remote.Address, 0);

    internal static SessionInfo From(PeerSession s, bool impersonation) => new(
        s.Fingerprint, s.NodeId, s.Sector, s.Direction, s.Remote, s.DialAddress, s.StartedAt, s.RoundTripTime,
        s.BytesIn, s.BytesOut, s.Secure.SessionIdHex, impersonation);
}
