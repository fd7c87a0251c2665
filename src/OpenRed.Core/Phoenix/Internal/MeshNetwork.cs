using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>The mesh's sessions as Phoenix sees them.</summary>
internal sealed class MeshNetwork(MeshService mesh, string nodeId, Func<int> listenPort) : IPhoenixNetwork
{
    public Fingerprint Self => mesh.Self;

    public string SelfNodeId => nodeId;

    public int ListenPort => listenPort();

    public IReadOnlyList<IPhoenixPeer> Sessions => [.. mesh.Sessions.Where(s => s.IsOpen).Select(s => new SessionPeer(s))];

    public IPhoenixPeer? Find(Fingerprint fingerprint) => mesh.Find(fingerprint) is { IsOpen: true } s ? new SessionPeer(s) : null;

    public async Task<IPhoenixPeer> ConnectAsync(IPEndPoint endpoint, Fingerprint expected, CancellationToken cancellationToken) =>
        new SessionPeer(await mesh.ConnectAsync(endpoint, expected, cancellationToken));
}

/// <summary>A mesh session as a Phoenix peer.</summary>
internal sealed class SessionPeer(PeerSession session) : IPhoenixPeer
{
    public Fingerprint Fingerprint => session.Fingerprint;

    public string NodeId => session.NodeId;

    public IPEndPoint? DialAddress => session.DialAddress;

    public bool IsOpen => session.IsOpen;

    public Task<Envelope> RequestAsync(Envelope request, CancellationToken cancellationToken) =>
        session.RequestAsync(request, cancellationToken);

    public IAsyncEnumerable<Envelope> RequestManyAsync(Envelope request, Func<Envelope, bool> isFinal, CancellationToken cancellationToken) =>
        session.RequestManyAsync(request, isFinal, cancellationToken);

    /// <summary>Answers through the session the request came on.</summary>
    public static PhoenixReply ReplyOn(PeerSession session, Envelope request) =>
        (answer, final, cancellationToken) => final ? session.ReplyAsync(request, answer, cancellationToken) : session.ReplyPartialAsync(request, answer, cancellationToken);
}
