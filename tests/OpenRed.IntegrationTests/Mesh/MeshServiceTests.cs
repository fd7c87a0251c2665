using System.Net;
using System.Net.Sockets;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.IntegrationTests.Mesh;

public sealed class MeshServiceTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_TwoMeshes_BothSeeOneVerifiedSessionAndPing()
    {
        await using var a = MeshHarness.Start(keys.Low, "alice", "family");
        await using var b = MeshHarness.Start(keys.High, "papa", "family");
        var opened = b.NextSessionOpened();

        var session = await a.Mesh.ConnectAsync("127.0.0.1", b.Endpoint.Port, keys.High.Fingerprint, CancellationToken.None);
        var inbound = await opened.WaitAsync(Wait);

        session.Direction.Should().Be(SessionDirection.Outbound);
        session.Peer.NodeId.Should().Be("papa");
        session.Fingerprint.Should().Be(keys.High.Fingerprint);
        inbound.Direction.Should().Be(SessionDirection.Inbound);
        inbound.Fingerprint.Should().Be(keys.Low.Fingerprint);
        inbound.DialAddress.Should().Be(a.Endpoint);
        var rtt = await session.Secure.PingAsync(CancellationToken.None).WaitAsync(Wait);
        rtt.Should().BeGreaterThan(TimeSpan.Zero);
        a.Mesh.Sessions.Should().ContainSingle();
        b.Mesh.Sessions.Should().ContainSingle();
    }

    [Fact]
    public async Task Connect_WrongExpectedFingerprint_FailsAndKeepsNothing()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);

        var act = () => a.Mesh.ConnectAsync(b.Endpoint, keys.Other.Fingerprint, CancellationToken.None);

        (await act.Should().ThrowAsync<ConnectException>()).Which.Message.Should().Contain("handshake failed");
        a.Mesh.Sessions.Should().BeEmpty();
        b.Mesh.Sessions.Should().BeEmpty();
    }

    [Fact]
    public async Task Connect_ToSelf_IsRefused()
    {
        await using var a = MeshHarness.Start(keys.Low);

        var act = () => a.Mesh.ConnectAsync(a.Endpoint, null, CancellationToken.None);

        await act.Should().ThrowAsync<ConnectException>();
        a.Mesh.Sessions.Should().BeEmpty();
    }

    [Fact]
    public async Task Connect_NobodyListening_SaysConnectionRefused()
    {
        await using var a = MeshHarness.Start(keys.Low);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;

        var act = () => a.Mesh.ConnectAsync("127.0.0.1", closedPort, null, CancellationToken.None);

        (await act.Should().ThrowAsync<ConnectException>()).Which.Message.Should().Contain("refused");
    }

    [Fact]
    public async Task Disconnect_ClosesBothSidesWithGoodbye()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);
        var opened = b.NextSessionOpened();
        var session = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);
        await opened.WaitAsync(Wait);
        var closedAtB = b.NextSessionClosed();

        (await a.Mesh.DisconnectAsync(session, "disconnected by user", CancellationToken.None)).Should().BeTrue();

        var closed = await closedAtB.WaitAsync(Wait);
        closed.Secure.CloseInfo!.Kind.Should().Be(SessionCloseKind.PeerGoodbye);
        a.Mesh.Sessions.Should().BeEmpty();
        b.Mesh.Sessions.Should().BeEmpty();
    }

    [Fact]
    public async Task SimultaneousDials_BothKeepTheSessionInitiatedByTheLowerFingerprint()
    {
        await using var low = MeshHarness.Start(keys.Low);
        await using var high = MeshHarness.Start(keys.High);

        var fromLow = low.Mesh.ConnectAsync(high.Endpoint, keys.High.Fingerprint, CancellationToken.None);
        var fromHigh = high.Mesh.ConnectAsync(low.Endpoint, keys.Low.Fingerprint, CancellationToken.None);
        await Task.WhenAll(fromLow, fromHigh).WaitAsync(Wait);

        // Give the losing session's Goodbye time to arrive, then both sides agree on one session.
        await WaitUntil(() => low.Mesh.Sessions.Count == 1 && high.Mesh.Sessions.Count == 1
            && low.Mesh.Sessions[0].Direction == SessionDirection.Outbound
            && high.Mesh.Sessions[0].Direction == SessionDirection.Inbound);
        var kept = low.Mesh.Sessions[0];
        (await kept.Secure.PingAsync(CancellationToken.None).WaitAsync(Wait)).Should().BeGreaterThan(TimeSpan.Zero);
        high.Mesh.Sessions[0].Secure.SessionIdHex.Should().Be(kept.Secure.SessionIdHex);
    }

    [Fact]
    public async Task SecondDial_SameSide_NewerSessionReplacesOlder()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);
        var first = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);

        var second = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);

        await first.Secure.Completion.WaitAsync(Wait);
        a.Mesh.Sessions.Should().ContainSingle().Which.Should().BeSameAs(second);
        await WaitUntil(() => b.Mesh.Sessions.Count == 1 && b.Mesh.Sessions[0].Secure.SessionIdHex == second.Secure.SessionIdHex);
    }

    [Fact]
    public async Task UnhandledRequest_GetsUnsupported()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High);
        var session = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);

        var answer = await session.Secure.RequestAsync(new Envelope { ProfileRequest = new ProfileRequest() }, CancellationToken.None).WaitAsync(Wait);

        answer.Error.Code.Should().Be(ErrorCode.Unsupported);
    }

    [Fact]
    public async Task RegisteredHandler_AnswersRequests()
    {
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.High, register: m => m.Handle(Envelope.BodyOneofCase.ProfileRequest, (s, e, cancellationToken) =>
            s.ReplyAsync(e, new Envelope { Profile = new Profile { DisplayName = "Papa" } }, cancellationToken)));
        var session = await a.Mesh.ConnectAsync(b.Endpoint, null, CancellationToken.None);

        var answer = await session.Secure.RequestAsync(new Envelope { ProfileRequest = new ProfileRequest() }, CancellationToken.None).WaitAsync(Wait);

        answer.Profile.DisplayName.Should().Be("Papa");
    }

    [Fact]
    public async Task SessionLimit_RefusesSessionsBeyondIt()
    {
        await using var hub = MeshHarness.Start(keys.High, options: new MeshOptions { MaxSessions = 8, InboundShare = 0.125 });
        await using var a = MeshHarness.Start(keys.Low);
        await using var b = MeshHarness.Start(keys.Mid);
        await a.Mesh.ConnectAsync(hub.Endpoint, null, CancellationToken.None);
        var closed = b.NextSessionClosed();

        // b's handshake completes, then the hub closes the session it has no inbound slot for.
        try
        {
            await b.Mesh.ConnectAsync(hub.Endpoint, null, CancellationToken.None);
        }
        catch (ConnectException)
        {
            // Also acceptable: refused before b registered it.
        }

        await WaitUntil(() => b.Mesh.Sessions.Count == 0);
        hub.Mesh.Sessions.Should().ContainSingle().Which.Fingerprint.Should().Be(keys.Low.Fingerprint);
        hub.Mesh.Counters.SessionsRefused.Should().Be(1);
        _ = closed;
    }

    [Fact]
    public async Task SilentClient_IsCutAtTheRequestDeadline()
    {
        var options = new MeshOptions { Handshake = HandshakeOptions.Default with { UntilRequest = TimeSpan.FromMilliseconds(500) } };
        await using var b = MeshHarness.Start(keys.High, options: options);
        using var client = new TcpClient();
        await client.ConnectAsync(b.Endpoint);
        var stream = client.GetStream();
        var started = DateTime.UtcNow;

        var read = await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Wait);

        read.Should().Be(0, "the responder closes a connection that sent no REQUEST");
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromMilliseconds(400));
        b.Mesh.Counters.HandshakesFailed.Should().Be(1);
    }

    [Fact]
    public async Task BurstFromOneAddress_BeyondRateAndInProgressCaps_IsClosedBeforeCrypto()
    {
        await using var b = MeshHarness.Start(keys.High);
        var clients = new List<TcpClient>();
        try
        {
            // 12 silent connections at once: the burst of 5 and the 4-in-progress cap admit at most 4.
            for (var i = 0; i < 12; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(b.Endpoint);
                clients.Add(c);
            }

            await WaitUntil(() => b.Mesh.Counters.ConnectionsRefused >= 8);
            b.Mesh.HandshakesInProgress.Should().BeLessThanOrEqualTo(4);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.True(condition, Wait);
}
