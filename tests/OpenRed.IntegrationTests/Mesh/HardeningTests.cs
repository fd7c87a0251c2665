using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Peers;
using OpenRed.Core.Wire.Proto;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Hardening issue, as an attacker on the LAN or a full node would meet a real node on loopback.</summary>
public sealed class HardeningTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task SpoofedBeacons_ForManyFingerprints_CostAtMostOneDialASecond_AndStopWhenTheyExpire()
    {
        // A "victim" port the spoofed beacons point at: every dial the node makes lands here and is counted.
        using var victim = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        victim.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        victim.Listen(512);
        var victimPort = ((IPEndPoint)victim.LocalEndPoint!).Port;
        var dials = 0;
        using var stop = new CancellationTokenSource();
        var counting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var s = await victim.AcceptAsync(stop.Token);
                    Interlocked.Increment(ref dials);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        using var tmp = new TempDirectory();
        var lighthousePort = Random.Shared.Next(40000, 50000);
        await using var node = await OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = "target",
                DataDirectory = Path.Combine(tmp.Path, "target"),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthousePort = lighthousePort,
                LighthouseInterface = IPAddress.Loopback,
                BeaconInterval = TimeSpan.FromSeconds(1),
                Peers = PeerOptions.Default with { BackoffMin = TimeSpan.FromMilliseconds(200) },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);

        // 100 fake peers of our sector, each with a fingerprint above ours (so the auto-connect rule says "dial"),
        // each claiming the victim's port; a beacon a few times over the spoofing window.
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        udp.Client.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
        var group = new IPEndPoint(node.Options.LighthouseGroup, lighthousePort);
        var started = DateTime.UtcNow;
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                var fp = new byte[32];
                fp.AsSpan().Fill(0xff);
                fp[30] = (byte)round;
                fp[31] = (byte)i;
                var beacon = new Beacon
                {
                    NodeId = $"fake{i}", Fingerprint = ByteString.CopyFrom(fp), Sector = node.Sector, TcpPort = (uint)victimPort,
                    Instance = 1, Seq = 1, IntervalS = 1, SentAtMs = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                };
                await udp.SendAsync(BeaconCodec.Encode(beacon), group);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        // Beacon-only peers get a few attempts, share one dial a second, and stop once they expire (3 s of silence).
        await Eventually.True(() => node.PeerMap.Count == 0, Wait);
        var elapsed = DateTime.UtcNow - started;
        var afterExpiry = Volatile.Read(ref dials);
        await Task.Delay(TimeSpan.FromSeconds(2));
        stop.Cancel();
        await counting;

        afterExpiry.Should().BeGreaterThan(0, "the rule does dial peers of our sector with a higher fingerprint");
        afterExpiry.Should().BeLessThanOrEqualTo((int)Math.Ceiling(elapsed.TotalSeconds) + 1, "at most one dial a second in all");
        Volatile.Read(ref dials).Should().Be(afterExpiry, "no attempt outlives the beacon that caused it");
    }

    [Fact]
    public async Task FullNode_RefusesAnInboundConnection_BeforeAnyCryptography()
    {
        await using var hub = MeshHarness.Start(keys.High, options: new MeshOptions { MaxSessions = 8, InboundShare = 0.125 });
        await using var a = MeshHarness.Start(keys.Low);
        await a.Mesh.ConnectAsync(hub.Endpoint, null, CancellationToken.None);

        // The hub's one inbound slot is taken: the next connection is closed before it spends a signature on it.
        using var client = new TcpClient();
        await client.ConnectAsync(hub.Endpoint);
        var read = await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(Wait);

        read.Should().Be(0, "closed without a word");
        hub.Mesh.Counters.HandshakesCompleted.Should().Be(1);
        hub.Mesh.Counters.HandshakesFailed.Should().Be(0);
        hub.Mesh.Counters.SessionsRefusedBy.Should().ContainKey("inbound session limit reached");
    }

    [Fact]
    public async Task ThrowingSubscriber_DoesNotStopOtherSubscribersOrTheSession()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);
        b.Mesh.SessionOpened += _ => throw new InvalidOperationException("a careless subscriber");
        var seen = b.NextSessionOpened();

        var session = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);

        var atB = await seen.WaitAsync(Wait);
        atB.IsOpen.Should().BeTrue();
        (await session.PingAsync(CancellationToken.None).WaitAsync(Wait)).Should().BeGreaterThan(TimeSpan.Zero);
    }

    [Fact]
    public async Task Shutdown_With64Sessions_FinishesWithinThreeSeconds()
    {
        using var tmp = new TempDirectory();
        var node = await OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = "hub",
                DataDirectory = Path.Combine(tmp.Path, "hub"),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                MaxPeers = 64,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
        var peers = new List<MeshHarness>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                peers.Add(MeshHarness.Start(Core.Identity.NodeIdentity.Generate(), $"p{i}"));
            }

            await Task.WhenAll(peers.Select(p => node.ConnectAsync("127.0.0.1", p.Endpoint.Port, null, CancellationToken.None)));
            node.GetSessions().Should().HaveCount(64);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await node.DisposeAsync();

            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
            await Eventually.True(() => peers.All(p => p.Mesh.Sessions.Count == 0), Wait);
        }
        finally
        {
            await node.DisposeAsync();
            foreach (var p in peers)
            {
                await p.DisposeAsync();
                p.Keys.Dispose();
            }
        }
    }

    [Fact]
    public async Task MessageOverItsSpecLimit_ClosesTheSession_AndIsCounted()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);
        var closed = b.NextSessionClosed();
        var session = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);
        var exchange = new PeerExchange();
        for (var i = 0; i < 51; i++)
        {
            exchange.Peers.Add(new PeerInfo { Host = "10.0.0.1", Port = 8080 });
        }

        await session.SendAsync(new Envelope { PeerExchange = exchange }, CancellationToken.None);

        (await closed.WaitAsync(Wait)).CloseInfo!.Kind.Should().Be(OpenRed.Core.Security.SessionCloseKind.Violation);
        b.Mesh.Counters.ProtocolViolations.Should().Be(1);
    }
}
