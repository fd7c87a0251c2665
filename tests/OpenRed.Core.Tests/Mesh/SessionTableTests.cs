using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Mesh.Internal;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;

namespace OpenRed.Core.Tests.Mesh;

public sealed class SessionTableTests : IAsyncLifetime
{
    private static readonly Fingerprint Low = Fp(0x10);
    private static readonly Fingerprint Self = Fp(0x20);
    private static readonly Fingerprint High = Fp(0x30);
    private readonly List<SecureSession> _sessions = [];

    [Fact]
    public void TryAdd_DuplicateFromDifferentSides_KeepsTheOneInitiatedByTheLowerFingerprint()
    {
        // Peer High vs us (Self): our outbound session was initiated by Self, the lower one.
        var table = new SessionTable(Self, MeshOptions.Default);
        var ours = Session(High, SessionDirection.Outbound);
        var theirs = Session(High, SessionDirection.Inbound);

        table.TryAdd(ours, out _, out _).Should().BeTrue();
        table.TryAdd(theirs, out var displaced, out var refusal).Should().BeFalse();
        refusal.Should().Be("duplicate session");
        displaced.Should().BeNull();
        table.Find(High).Should().BeSameAs(ours);
    }

    [Fact]
    public void TryAdd_DuplicateFromDifferentSides_PeerLower_TheirsReplacesOurs()
    {
        var table = new SessionTable(Self, MeshOptions.Default);
        var ours = Session(Low, SessionDirection.Outbound);
        var theirs = Session(Low, SessionDirection.Inbound);

        table.TryAdd(ours, out _, out _).Should().BeTrue();
        table.TryAdd(theirs, out var displaced, out _).Should().BeTrue();

        displaced.Should().BeSameAs(ours);
        table.Find(Low).Should().BeSameAs(theirs);
    }

    [Fact]
    public void TryAdd_DuplicateFromSameSide_NewerWins()
    {
        var table = new SessionTable(Self, MeshOptions.Default);
        var older = Session(High, SessionDirection.Inbound);
        var newer = Session(High, SessionDirection.Inbound);

        table.TryAdd(older, out _, out _).Should().BeTrue();
        table.TryAdd(newer, out var displaced, out _).Should().BeTrue();

        displaced.Should().BeSameAs(older);
    }

    [Fact]
    public void TryAdd_InboundBeyondThreeQuartersOfTheLimit_Refused_OutboundStillFits()
    {
        var table = new SessionTable(Self, new MeshOptions { MaxSessions = 8 });
        for (var i = 0; i < 6; i++)
        {
            table.TryAdd(Session(Fp(0x40 + i), SessionDirection.Inbound, $"10.0.{i}.1"), out _, out _).Should().BeTrue();
        }

        table.TryAdd(Session(Fp(0x50), SessionDirection.Inbound, "10.9.0.1"), out _, out var refusal).Should().BeFalse();
        refusal.Should().Contain("inbound");
        table.TryAdd(Session(Fp(0x51), SessionDirection.Outbound), out _, out _).Should().BeTrue();
        table.TryAdd(Session(Fp(0x52), SessionDirection.Outbound), out _, out _).Should().BeTrue();
        table.TryAdd(Session(Fp(0x53), SessionDirection.Outbound), out _, out refusal).Should().BeFalse();
        refusal.Should().Contain("session limit");
    }

    [Fact]
    public void TryAdd_NinthInboundFromOneSlash24_Refused()
    {
        var table = new SessionTable(Self, MeshOptions.Default);
        for (var i = 0; i < 8; i++)
        {
            table.TryAdd(Session(Fp(0x40 + i), SessionDirection.Inbound, $"10.0.0.{i + 1}"), out _, out _).Should().BeTrue();
        }

        table.TryAdd(Session(Fp(0x60), SessionDirection.Inbound, "10.0.0.99"), out _, out var refusal).Should().BeFalse();
        refusal.Should().Contain("network");
        table.TryAdd(Session(Fp(0x61), SessionDirection.Inbound, "10.0.1.1"), out _, out _).Should().BeTrue();
    }

    [Fact]
    public void Remove_OnlyRemovesTheCurrentSession()
    {
        var table = new SessionTable(Self, MeshOptions.Default);
        var older = Session(High, SessionDirection.Inbound);
        var newer = Session(High, SessionDirection.Inbound);
        table.TryAdd(older, out _, out _);
        table.TryAdd(newer, out _, out _);

        table.Remove(older).Should().BeFalse();
        table.Find(High).Should().BeSameAs(newer);
        table.Remove(newer).Should().BeTrue();
        table.Count.Should().Be(0);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _sessions)
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public void TryAdd_FriendAtTheLimit_DisplacesTheLeastRecentlyActiveNonFriend()
    {
        var friend = Fp(0x40);
        var table = new SessionTable(Self, MeshOptions.Default with { MaxSessions = 2 }, f => f == friend);
        var older = Session(Fp(0x50), SessionDirection.Outbound);
        var newer = Session(Fp(0x60), SessionDirection.Outbound);
        table.TryAdd(older, out _, out _).Should().BeTrue();
        table.TryAdd(newer, out _, out _).Should().BeTrue();

        table.TryAdd(Session(Fp(0x70), SessionDirection.Outbound), out _, out var refusal).Should().BeFalse();
        refusal.Should().Be("session limit reached");
        var fromFriend = Session(friend, SessionDirection.Outbound);
        table.TryAdd(fromFriend, out var displaced, out _).Should().BeTrue();

        displaced.Should().NotBeNull();
        displaced!.Fingerprint.Should().NotBe(friend);
        table.Find(friend).Should().BeSameAs(fromFriend);
        table.Count.Should().Be(2);
    }

    [Fact]
    public void CanAcceptInbound_PrefixFull_RefusesBeforeAnyHandshake()
    {
        var table = new SessionTable(Self, MeshOptions.Default with { MaxInboundSessionsPerPrefix = 1 });
        table.TryAdd(Session(Fp(0x50), SessionDirection.Inbound, "10.0.0.1"), out _, out _).Should().BeTrue();

        table.CanAcceptInbound(IPAddress.Parse("10.0.0.9"), out var refusal).Should().BeFalse();
        refusal.Should().Be("too many sessions from that network");
        table.CanAcceptInbound(IPAddress.Parse("10.0.1.9"), out _).Should().BeTrue();
    }

    private PeerSession Session(Fingerprint peer, SessionDirection direction, string address = "10.0.0.1")
    {
        var (a, _) = DuplexPipe.Create();
        var keys = new SessionKeys(new byte[32], new byte[32], new byte[16]);
        var identity = new PeerIdentity(peer, [], "peer", "general", 8080, false);
        var secure = SecureSession.Start(a, keys, direction == SessionDirection.Outbound, identity, SessionOptions.Default, TimeProvider.System, NullLogger.Instance, (_, _, _) => ValueTask.CompletedTask);
        _sessions.Add(secure);
        return new PeerSession(secure, direction, new IPEndPoint(IPAddress.Parse(address), 40000), DateTimeOffset.UnixEpoch);
    }

    private static Fingerprint Fp(int first)
    {
        var bytes = new byte[32];
        bytes[0] = (byte)first;
        return Fingerprint.FromBytes(bytes);
    }
}
