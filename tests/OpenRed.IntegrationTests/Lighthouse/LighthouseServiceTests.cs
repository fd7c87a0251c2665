using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Wire.Proto;
using Google.Protobuf;

namespace OpenRed.IntegrationTests.Lighthouse;

/// <summary>
/// Real multicast on loopback: run through scripts/netns.sh, where lo has multicast and a 224.0.0.0/4 route.
/// Each test takes its own random port so tests and parallel classes never hear each other.
/// </summary>
public sealed class LighthouseServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly List<LighthouseService> _started = [];
    private readonly int _port = 20000 + Random.Shared.Next(0, 40000);

    [Fact]
    public async Task ThreeLighthouses_StartedTogether_DiscoverEachOther()
    {
        // Steady beacons only every 30 s: discovery comes from the start burst and the answers to it.
        var options = Options() with { Interval = TimeSpan.FromSeconds(30), StartBurst = new LighthouseOptions().StartBurst };
        var maps = Enumerable.Range(0, 3).Select(_ => new PeerMap(options, TimeProvider.System)).ToList();
        var allSeen = Task.WhenAll(maps.Select(m => WhenCount(m, 2)));
        var services = new List<LighthouseService>();
        for (var i = 0; i < 3; i++)
        {
            services.Add(await Start($"node{i}", maps[i], options));
        }

        await allSeen.WaitAsync(TimeSpan.FromSeconds(3));

        foreach (var service in services)
        {
            var others = services.Where(s => s != service).ToList();
            var peers = service.Map.Snapshot();
            peers.Select(p => p.Fingerprint).Should().BeEquivalentTo(others.Select(o => o.Local.Fingerprint));
            foreach (var peer in peers)
            {
                var other = others.Single(o => o.Local.Fingerprint == peer.Fingerprint);
                peer.NodeId.Should().Be(other.Local.NodeId);
                peer.Address.Should().Be(new IPEndPoint(IPAddress.Loopback, other.Local.TcpPort));
                peer.State.Should().Be(LighthousePeerState.Unverified);
                peer.Interval.Should().Be(TimeSpan.FromSeconds(30));
            }

            service.Status.State.Should().Be(LighthouseState.Running);
            service.Status.BeaconsSent.Should().BeGreaterThan(0);
            service.Status.OwnBeaconsSeen.Should().BeGreaterThan(0);
            service.Status.BeaconsReceived.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public async Task LateStarter_LearnsEarlierNode_FromTheAnswerToItsSolicit()
    {
        // One solicit at start, 30 s interval: the late node can only hear the early one through its answer.
        var options = Options() with { Interval = TimeSpan.FromSeconds(30) };
        var early = await Start("early", new PeerMap(options, TimeProvider.System), options);
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var lateMap = new PeerMap(options, TimeProvider.System);
        var seen = WhenCount(lateMap, 1);
        await Start("late", lateMap, options);

        await seen.WaitAsync(TimeSpan.FromSeconds(1));
        lateMap.Snapshot().Single().Fingerprint.Should().Be(early.Local.Fingerprint);
        // The counter moves once the send returns, which may be just after the late node has processed the answer.
        (await Eventually(() => early.Status.SolicitAnswersSent == 1)).Should().BeTrue();
    }

    [Fact]
    public async Task Dispose_SendsGoodbye_OthersDropPeerAtOnce()
    {
        var options = Options() with { Interval = TimeSpan.FromSeconds(30) };
        var mapA = new PeerMap(options, TimeProvider.System);
        var seen = WhenCount(mapA, 1);
        var a = await Start("a", mapA, options);
        var b = await Start("b", new PeerMap(options, TimeProvider.System), options);
        await seen.WaitAsync(Wait);

        var lost = new TaskCompletionSource<LighthousePeerEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        mapA.PeerLost += (_, e) => lost.TrySetResult(e);
        await b.DisposeAsync();

        var e = await lost.Task.WaitAsync(TimeSpan.FromSeconds(1));
        e.Change.Should().Be(PeerChange.Goodbye);
        e.Peer.Fingerprint.Should().Be(b.Local.Fingerprint);
        mapA.Count.Should().Be(0);
        b.Status.State.Should().Be(LighthouseState.Stopped);
        a.Status.State.Should().Be(LighthouseState.Running);
    }

    [Fact]
    public async Task SilentPeer_ExpiresAfterThreeIntervals()
    {
        var options = Options();
        var map = new PeerMap(options, TimeProvider.System);
        var discovered = WhenCount(map, 1);
        var lost = new TaskCompletionSource<LighthousePeerEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        map.PeerLost += (_, e) => lost.TrySetResult(e);
        await Start("watcher", map, options);

        // A "killed" node: one beacon with interval_s = 1, then nothing, not even a goodbye.
        using var raw = RawSender();
        raw.SendTo(BeaconCodec.Encode(RawBeacon(RandomFingerprint(), "killed")), Group);
        await discovered.WaitAsync(Wait);
        var heardAt = DateTimeOffset.UtcNow;

        var e = await lost.Task.WaitAsync(Wait);
        e.Change.Should().Be(PeerChange.Expired);
        (DateTimeOffset.UtcNow - heardAt).Should().BeGreaterThan(TimeSpan.FromSeconds(2.9));
    }

    [Fact]
    public async Task DifferentSectors_SeeEachOtherWithTheirSector()
    {
        var options = Options();
        var mapA = new PeerMap(options, TimeProvider.System);
        var mapB = new PeerMap(options, TimeProvider.System);
        var seen = Task.WhenAll(WhenCount(mapA, 1), WhenCount(mapB, 1));
        await Start("a", mapA, options, sector: "alpha");
        await Start("b", mapB, options, sector: "beta");
        await seen.WaitAsync(Wait);

        mapA.Snapshot().Single().Sector.Should().Be("beta");
        mapB.Snapshot().Single().Sector.Should().Be("alpha");
    }

    [Fact]
    public async Task Flood_OfMalformedDatagrams_IsCountedAndLighthouseStaysResponsive()
    {
        var options = Options();
        var map = new PeerMap(options, TimeProvider.System);
        var a = await Start("a", map, options);

        using (var raw = RawSender())
        {
            var junk = new byte[][]
            {
                "NOPE"u8.ToArray(),
                [.. "ORLH"u8, 9, 1, 2],
                [.. "ORLH"u8, 1, 0xff, 0xff],
                new byte[1500],
            };
            for (var i = 0; i < 10_000; i++)
            {
                raw.SendTo(junk[i % junk.Length], Group);
            }
        }

        var discovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        map.PeerDiscovered += (_, e) =>
        {
            if (e.Peer.NodeId == "late")
            {
                discovered.TrySetResult();
            }
        };
        await Start("late", new PeerMap(options, TimeProvider.System), options);
        await discovered.Task.WaitAsync(Wait);

        var dropped = a.Status.Dropped;
        dropped.Should().ContainKey(BeaconRejection.SourceRateLimited);
        dropped.Keys.Should().Contain(r => r == BeaconRejection.BadMagic || r == BeaconRejection.BadVersion
            || r == BeaconRejection.Malformed || r == BeaconRejection.TooLarge);
        a.Status.DroppedTotal.Should().BeGreaterThan(200);
        a.Status.State.Should().Be(LighthouseState.Running);
    }

    [Fact]
    public async Task JoinFailure_ReportsFailedOnceAndKeepsRunningWithoutDiscovery()
    {
        // 192.0.2.1 (TEST-NET-1) is on no interface: the kernel refuses the membership.
        var options = Options() with { InterfaceAddress = IPAddress.Parse("192.0.2.1") };
        var logger = new CapturingLogger();
        var service = await LighthouseService.StartAsync(
            Local("lonely"), options, new PeerMap(options, TimeProvider.System), TimeProvider.System, logger, CancellationToken.None);

        service.Status.State.Should().Be(LighthouseState.Failed);
        service.Status.Message.Should().Contain("192.0.2.1");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        logger.Entries.Count(e => e.Level >= LogLevel.Warning).Should().Be(1);

        await service.DisposeAsync();
        service.Status.State.Should().Be(LighthouseState.Failed);
        logger.Entries.Count(e => e.Level >= LogLevel.Warning).Should().Be(1);
    }

    [Fact]
    public async Task Disabled_OpensNoSocket()
    {
        var options = Options() with { Enabled = false };
        var service = await Start("off", new PeerMap(options, TimeProvider.System), options);
        service.Status.State.Should().Be(LighthouseState.Disabled);
        service.Status.BeaconsSent.Should().Be(0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.DisposeAsync();
        }
    }

    private IPEndPoint Group => new(LighthouseOptions.DefaultGroup, _port);

    private LighthouseOptions Options() => new()
    {
        Port = _port,
        InterfaceAddress = IPAddress.Loopback,
        Interval = TimeSpan.FromSeconds(1),
        StartBurst = [TimeSpan.Zero],
        ExpirySweep = TimeSpan.FromMilliseconds(100),
    };

    private async Task<LighthouseService> Start(string nodeId, PeerMap map, LighthouseOptions options, string sector = "general")
    {
        var service = await LighthouseService.StartAsync(
            Local(nodeId, sector), options, map, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        _started.Add(service);
        return service;
    }

    private static LighthouseLocalInfo Local(string nodeId, string sector = "general") =>
        new(nodeId, RandomFingerprint(), sector, Random.Shared.Next(1024, 65535), LighthouseLocalInfo.NewInstance());

    private static Fingerprint RandomFingerprint()
    {
        var bytes = new byte[Fingerprint.Length];
        Random.Shared.NextBytes(bytes);
        return Fingerprint.FromBytes(bytes);
    }

    private static Beacon RawBeacon(Fingerprint fingerprint, string nodeId) => new()
    {
        NodeId = nodeId,
        Fingerprint = ByteString.CopyFrom(fingerprint.Bytes),
        Sector = "general",
        TcpPort = 4000,
        Instance = 1,
        Seq = 1,
        IntervalS = 1,
    };

    private static Socket RawSender()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 1);
        return socket;
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>Completes when the map holds <paramref name="count"/> peers (subscribe before starting anything).</summary>
    private static Task WhenCount(PeerMap map, int count)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        map.PeerDiscovered += (_, _) =>
        {
            if (map.Count >= count)
            {
                tcs.TrySetResult();
            }
        };
        return tcs.Task;
    }
}
