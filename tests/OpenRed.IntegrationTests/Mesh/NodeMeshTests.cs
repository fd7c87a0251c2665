using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Mesh;
using OpenRed.Core.Peers;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Whole nodes in this process, over real loopback TCP and real multicast on lo.</summary>
public sealed class NodeMeshTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Session_SurvivesRekeyInBothDirections()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        await using var b = await Start(tmp, "papa");
        var session = a.Mesh.Find((await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None)).Fingerprint)!;
        var atB = await WaitForSession(b, a);

        await session.Secure.RekeyAsync(CancellationToken.None);
        await atB.Secure.RekeyAsync(CancellationToken.None);
        await session.Secure.PingAsync(CancellationToken.None).WaitAsync(Wait);
        await atB.Secure.PingAsync(CancellationToken.None).WaitAsync(Wait);

        session.Secure.RekeysSent.Should().Be(1);
        atB.Secure.RekeysReceived.Should().Be(1);
        session.Secure.IsOpen.Should().BeTrue();
    }

    [Fact]
    public async Task Restart_OfTheDialledSide_DialerReconnectsByItself()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        var b = await Start(tmp, "papa");
        var port = b.Port;
        await a.ConnectAsync("127.0.0.1", port, b.Fingerprint, CancellationToken.None);
        var lost = Next(a, closed: true);

        await b.DisposeAsync();
        await lost.WaitAsync(Wait);
        var back = Next(a, closed: false);
        await using var b2 = await Start(tmp, "papa", port);

        var session = await back.WaitAsync(Wait);
        session.Fingerprint.Should().Be(b2.Fingerprint);
        session.Direction.Should().Be(SessionDirection.Outbound);
    }

    [Fact]
    public async Task Disconnect_ByUser_IsNotUndoneByReconnect()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        await using var b = await Start(tmp, "papa");
        var session = await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        await WaitForSession(b, a);

        await a.DisconnectAsync(session.Fingerprint, CancellationToken.None);

        // The peer's view: the session ends by our Goodbye and nobody dials again.
        await WaitUntil(() => b.Mesh.Sessions.Count == 0);
        var reopened = Next(b, closed: false);
        (await Task.WhenAny(reopened, Task.Delay(TimeSpan.FromSeconds(3)))).Should().NotBe(reopened);
        a.Links.All().Should().ContainSingle().Which.NodeId.Should().Be("papa");
    }

    [Fact]
    public async Task Lighthouse_SameSector_AutoConnects_LowerFingerprintDials()
    {
        using var tmp = new TempDirectory();
        var port = LighthousePort();
        await using var a = await Start(tmp, "alice", lighthousePort: port, sector: "family");
        await using var b = await Start(tmp, "papa", lighthousePort: port, sector: "family");

        await WaitUntil(() => a.Mesh.Sessions.Count == 1 && b.Mesh.Sessions.Count == 1);

        var (low, high) = a.Fingerprint < b.Fingerprint ? (a, b) : (b, a);
        low.Mesh.Sessions[0].Direction.Should().Be(SessionDirection.Outbound);
        high.Mesh.Sessions[0].Direction.Should().Be(SessionDirection.Inbound);
        await WaitUntil(() => a.PeerMap.Snapshot().Any(p => p.HasSession) && b.PeerMap.Snapshot().Any(p => p.HasSession));
    }

    [Fact]
    public async Task Lighthouse_OtherSector_SeenButNeverDialled()
    {
        using var tmp = new TempDirectory();
        var port = LighthousePort();
        await using var a = await Start(tmp, "alice", lighthousePort: port, sector: "family");
        await using var b = await Start(tmp, "bob", lighthousePort: port, sector: "work");

        await WaitUntil(() => a.PeerMap.Count == 1 && b.PeerMap.Count == 1);
        a.PeerMap.Snapshot()[0].Sector.Should().Be("work");

        // Several beacon intervals pass (1 s each) without a dial either way.
        var opened = Next(a, closed: false);
        (await Task.WhenAny(opened, Task.Delay(TimeSpan.FromSeconds(3)))).Should().NotBe(opened);
        a.Mesh.Sessions.Should().BeEmpty();
        b.Mesh.Sessions.Should().BeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lighthouse_DisconnectByUser_NeitherSideAutoDialsAgain(bool lowerSideDisconnects)
    {
        using var tmp = new TempDirectory();
        var port = LighthousePort();
        await using var a = await Start(tmp, "alice", lighthousePort: port, sector: "family");
        await using var b = await Start(tmp, "papa", lighthousePort: port, sector: "family");
        await WaitUntil(() => a.Mesh.Sessions.Count == 1 && b.Mesh.Sessions.Count == 1);
        var (low, high) = a.Fingerprint < b.Fingerprint ? (a, b) : (b, a);
        var who = lowerSideDisconnects ? low : high;

        await who.DisconnectAsync(who.Mesh.Sessions[0].Fingerprint, CancellationToken.None);

        await WaitUntil(() => a.Mesh.Sessions.Count == 0 && b.Mesh.Sessions.Count == 0);
        var again = Next(low, closed: false);
        (await Task.WhenAny(again, Task.Delay(TimeSpan.FromSeconds(3)))).Should().NotBe(again, "beacons keep coming, but a deliberate goodbye is respected");

        // A person connecting explicitly lifts it.
        await who.ConnectAsync("127.0.0.1", (who == a ? b : a).Port, null, CancellationToken.None);
        await WaitUntil(() => a.Mesh.Sessions.Count == 1 && b.Mesh.Sessions.Count == 1);
    }

    private static int LighthousePort() => Random.Shared.Next(30000, 40000);

    private static Task<OpenRedNode> Start(TempDirectory tmp, string nodeId, int port = 0, int? lighthousePort = null, string sector = "family") =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                Sector = sector,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = port,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = lighthousePort is not null,
                LighthousePort = lighthousePort ?? NodeOptions.DefaultLighthousePort,
                LighthouseInterface = IPAddress.Loopback,
                BeaconInterval = TimeSpan.FromSeconds(1),
                Peers = PeerOptions.Default with { BackoffMax = TimeSpan.FromSeconds(1) },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);

    private static Task<PeerSession> Next(OpenRedNode node, bool closed)
    {
        var tcs = new TaskCompletionSource<PeerSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (closed)
        {
            node.Mesh.SessionClosed += s => tcs.TrySetResult(s);
        }
        else
        {
            node.Mesh.SessionOpened += s => tcs.TrySetResult(s);
        }

        return tcs.Task;
    }

    private static async Task<PeerSession> WaitForSession(OpenRedNode at, OpenRedNode peer)
    {
        await WaitUntil(() => at.Mesh.Find(peer.Fingerprint) is not null);
        return at.Mesh.Find(peer.Fingerprint)!;
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.True(condition, Wait);
}
