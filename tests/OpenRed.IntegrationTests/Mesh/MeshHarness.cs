using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>A mesh with a real listening socket on 127.0.0.1 and a port the system chose.</summary>
internal sealed class MeshHarness : IAsyncDisposable
{
    private readonly Socket _listener;

    private MeshHarness(NodeIdentity keys, string nodeId, string sector, MeshOptions options, Action<MeshService>? register)
    {
        Keys = keys;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        Mesh = new MeshService(new LocalIdentity(keys, nodeId, sector, Endpoint.Port), options, null, TimeProvider.System, NullLoggerFactory.Instance);
        register?.Invoke(Mesh);
        Mesh.StartAccepting(cancellationToken => _listener.AcceptAsync(cancellationToken));
    }

    public NodeIdentity Keys { get; }

    public IPEndPoint Endpoint { get; }

    public MeshService Mesh { get; }

    /// <summary>A listening mesh; <paramref name="register"/> adds handlers before it accepts (registration closes then).</summary>
    public static MeshHarness Start(
        NodeIdentity keys, string nodeId = "node", string sector = "general", MeshOptions? options = null, Action<MeshService>? register = null) =>
        new(keys, nodeId, sector, options ?? MeshOptions.Default, register);

    /// <summary>Completes with the next session the mesh opens.</summary>
    public Task<PeerSession> NextSessionOpened() =>
        Next(h => Mesh.SessionOpened += h, h => Mesh.SessionOpened -= h);

    /// <summary>Completes with the next session the mesh drops.</summary>
    public Task<PeerSession> NextSessionClosed() =>
        Next(h => Mesh.SessionClosed += h, h => Mesh.SessionClosed -= h);

    private static Task<PeerSession> Next(Action<Action<PeerSession>> subscribe, Action<Action<PeerSession>> unsubscribe)
    {
        var tcs = new TaskCompletionSource<PeerSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(PeerSession s)
        {
            unsubscribe(Handler);
            tcs.TrySetResult(s);
        }

        subscribe(Handler);
        return tcs.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await Mesh.DisposeAsync();
    }
}

/// <summary>RSA key generation costs ~100 ms: a few keys shared by the mesh tests.</summary>
public sealed class MeshKeys : IDisposable
{
    public MeshKeys()
    {
        var keys = Enumerable.Range(0, 4).Select(_ => NodeIdentity.Generate()).OrderBy(k => k.Fingerprint).ToArray();
        Low = keys[0];
        Mid = keys[1];
        High = keys[2];
        Other = keys[3];
    }

    /// <summary>The lowest fingerprint of the set, and so on upwards.</summary>
    public NodeIdentity Low { get; }

    public NodeIdentity Mid { get; }

    public NodeIdentity High { get; }

    public NodeIdentity Other { get; }

    public void Dispose()
    {
        Low.Dispose();
        Mid.Dispose();
        High.Dispose();
        Other.Dispose();
    }
}
