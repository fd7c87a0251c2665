using System.Net;
using System.Net.Sockets;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Issue 9.1 on a real listening node: one flooding address must not lock every other peer out.</summary>
public sealed class AdmissionFloodTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly IPAddress Flooder = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Legitimate = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task Flood_FromOneAddress_PeerFromAnotherStillCompletesAHandshake()
    {
        // The default shape scaled down, so the flood outruns the node-wide refill many times over even on a busy
        // machine: an address may open 1 a second (burst 2), the node 10 a second (burst 10).
        var options = new MeshOptions
        {
            InboundPerAddressRate = 1, InboundPerAddressBurst = 2, InboundGlobalRate = 10, InboundGlobalBurst = 10,
        };
        await using var node = MeshHarness.Start(keys.High, "node", options: options);
        using var stop = new CancellationTokenSource();
        var attempts = 0;
        var flood = Task.Run(() => FloodAsync(node.Endpoint, () => Interlocked.Increment(ref attempts), stop.Token));
        try
        {
            // Enough connections that, checked node-wide first, they would have emptied the node's bucket.
            while (node.Mesh.Counters.ConnectionsRefused < 200)
            {
                flood.IsCompleted.Should().BeFalse("the flood runs until the peer has tried");
                await Task.Delay(10);
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(Legitimate, 0));
            await socket.ConnectAsync(node.Endpoint);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var local = new LocalIdentity(keys.Low, "peer", "general", 0);
            using var result = await Handshake.InitiateAsync(stream, local, keys.High.Fingerprint, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None)
                .WaitAsync(Wait);

            result.Peer.Fingerprint.Should().Be(keys.High.Fingerprint);
            Volatile.Read(ref attempts).Should().BeGreaterThan(200);
        }
        finally
        {
            await stop.CancelAsync();
            await flood;
        }
    }

    private static async Task FloodAsync(IPEndPoint target, Action counted, CancellationToken cancellationToken)
    {
        var n = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // A few thousand a second outrun the node-wide refill of 10 hundreds of times over; more would only take
            // the CPU from tests running alongside.
            if (++n % 4 == 0)
            {
                await Task.Delay(1, CancellationToken.None);
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(Flooder, 0));
                await socket.ConnectAsync(target, cancellationToken);
                counted();
            }
            catch (SocketException)
            {
                // A full backlog or a reset: the flood goes on.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
