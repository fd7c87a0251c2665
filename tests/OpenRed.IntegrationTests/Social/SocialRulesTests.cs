using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Mesh;
using OpenRed.Core.Social;
using OpenRed.Core.Wire.Proto;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Mesh;

namespace OpenRed.IntegrationTests.Social;

/// <summary>The rules of section 9 on real nodes in this process: who may chat, what a blocked peer can still do.</summary>
public sealed class SocialRulesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ChatFromANonFriend_GetsNotFriends_AndIsNotStored()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "alice");
        await using var b = await StartAsync(tmp, "bob");
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);

        var answer = await a.Mesh.Find(b.Fingerprint)!.RequestAsync(Chat("hello stranger"), CancellationToken.None);

        answer.BodyCase.Should().Be(Envelope.BodyOneofCase.Error);
        answer.Error.Code.Should().Be(ErrorCode.NotFriends);
        b.Social.TakeUnread().Should().BeEmpty();
        b.Social.Counters.NotFriendsRefused.Should().Be(1);
        var send = () => a.Social.SendMessage(b.Fingerprint, "hi");
        send.Should().Throw<SocialException>().WithMessage("not a friend*");
    }

    [Fact]
    public async Task BlockedPeer_IsCutOff_ItsRequestsVanish_AndItCannotConnect()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "alice");
        await using var b = await StartAsync(tmp, "bob");
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        a.Social.AddFriend(new PeerRef(b.Fingerprint, "bob"), "hi");
        await Eventually.True(() => b.Social.GetFriends().Any(f => f.State == FriendState.PendingIn), Wait);

        await b.Social.BlockAsync(new PeerRef(a.Fingerprint, "alice"), CancellationToken.None);

        b.Social.GetFriends().Should().ContainSingle().Which.State.Should().Be(FriendState.Blocked);
        await Eventually.True(() => a.GetSessions().Count == 0, Wait);
        // The responder learns who dials only from the last handshake message, so the dialler may see its side
        // complete for a moment; the blocked side refuses it and never holds a session.
        var failedBefore = b.Mesh.Counters.HandshakesFailed;
        try
        {
            await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        }
        catch (ConnectException)
        {
            // Refused: what a blocked peer should get.
        }

        await Eventually.True(() => b.Mesh.Counters.HandshakesFailed > failedBefore, Wait);
        await Eventually.True(() => a.GetSessions().Count == 0, Wait);
        b.GetSessions().Should().BeEmpty();

        b.Social.Unblock(a.Fingerprint).Should().BeTrue();
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        b.Social.GetFriends().Should().BeEmpty("the old request vanished with the block");
    }

    [Fact]
    public async Task FloodOfFriendRequests_IsRateLimitedBeforeStorage()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "alice");
        await using var b = await StartAsync(tmp, "bob");
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        var session = a.Mesh.Find(b.Fingerprint)!;

        var answers = new List<Envelope>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await session.RequestAsync(new Envelope
            {
                FriendRequest = new FriendRequest { RequestId = ByteString.CopyFrom(Id(i)), Message = "flood" },
            }, CancellationToken.None));
        }

        answers.Count(e => e.BodyCase == Envelope.BodyOneofCase.Ack).Should().Be((int)b.Social.Options.FriendRequestBurst);
        answers.Where(e => e.BodyCase == Envelope.BodyOneofCase.Error).Should().OnlyContain(e => e.Error.Code == ErrorCode.RateLimited);
        b.Social.GetFriends().Should().ContainSingle("one pending request per peer");
        b.Social.Counters.RateLimited.Should().Be(20 - (int)b.Social.Options.FriendRequestBurst);
    }

    [Fact]
    public async Task Friend_GetsASlotOnAFullNode()
    {
        using var tmp = new TempDirectory();
        await using var hub = await StartAsync(tmp, "hub", maxPeers: 8);
        await using var friend = await StartAsync(tmp, "friend");
        await friend.ConnectAsync("127.0.0.1", hub.Port, hub.Fingerprint, CancellationToken.None);
        friend.Social.AddFriend(new PeerRef(hub.Fingerprint, "hub"), "");
        await Eventually.True(() => hub.Social.GetFriends().Any(f => f.State == FriendState.PendingIn), Wait);
        hub.Social.Accept(friend.Fingerprint);
        await Eventually.True(() => friend.Social.GetFriends().Single().State == FriendState.Friend, Wait);
        await friend.DisconnectAsync(hub.Fingerprint, CancellationToken.None);

        // Fill the hub with strangers up to its limit.
        var strangers = new List<OpenRedNode>();
        try
        {
            for (var i = 0; hub.GetSessions().Count < 8 && i < 12; i++)
            {
                var s = await StartAsync(tmp, $"s{i}");
                strangers.Add(s);
                await hub.ConnectAsync("127.0.0.1", s.Port, s.Fingerprint, CancellationToken.None);
            }

            hub.GetSessions().Should().HaveCount(8);
            await friend.ConnectAsync("127.0.0.1", hub.Port, hub.Fingerprint, CancellationToken.None);

            await Eventually.True(() => hub.GetSessions().Any(s => s.Fingerprint == friend.Fingerprint), Wait);
            hub.GetSessions().Count.Should().BeLessThanOrEqualTo(8);
        }
        finally
        {
            foreach (var s in strangers)
            {
                await s.DisposeAsync();
            }
        }
    }

    private static Envelope Chat(string text) => new()
    {
        ChatMessage = new ChatMessage { MessageId = ByteString.CopyFrom(Id(1)), Text = text, SentAtMs = 1 },
    };

    private static byte[] Id(int n) => [.. Enumerable.Repeat((byte)n, 15), 7];

    private static Task<OpenRedNode> StartAsync(TempDirectory tmp, string nodeId, int maxPeers = 64) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                MaxPeers = maxPeers,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
}
