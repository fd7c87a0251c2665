using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A peer as Phoenix talks to it: a live session (the mesh's), or an in-memory one in tests.</summary>
internal interface IPhoenixPeer
{
    Fingerprint Fingerprint { get; }

    string NodeId { get; }

    /// <summary>Where the peer can be dialled; null when it cannot.</summary>
    IPEndPoint? DialAddress { get; }

    bool IsOpen { get; }

    Task<Envelope> RequestAsync(Envelope request, CancellationToken cancellationToken);

    IAsyncEnumerable<Envelope> RequestManyAsync(Envelope request, Func<Envelope, bool> isFinal, CancellationToken cancellationToken);
}

/// <summary>The sessions Phoenix may use, and dialling a holder by its expected fingerprint.</summary>
internal interface IPhoenixNetwork
{
    Fingerprint Self { get; }

    string SelfNodeId { get; }

    int ListenPort { get; }

    IReadOnlyList<IPhoenixPeer> Sessions { get; }

    IPhoenixPeer? Find(Fingerprint fingerprint);

    /// <exception cref="Mesh.ConnectException">Unreachable, refused or not the expected peer.</exception>
    Task<IPhoenixPeer> ConnectAsync(IPEndPoint endpoint, Fingerprint expected, CancellationToken cancellationToken);
}

/// <summary>
/// Answers a request: partial answers first, then exactly one final one. The answer is copied (serialized) before
/// the returned task completes, so the caller may reuse the bytes it wraps afterwards.
/// </summary>
internal delegate ValueTask PhoenixReply(Envelope answer, bool final, CancellationToken cancellationToken);
