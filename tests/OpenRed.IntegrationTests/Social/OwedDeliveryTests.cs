using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Mesh;
using OpenRed.Core.Social;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Mesh;

namespace OpenRed.IntegrationTests.Social;

/// <summary>
/// Something owed to a known peer without a session (section 9: a request, a message) is queued, and the node dials
/// the peer's last verified address to deliver it. The user disconnected the peer first, which the dial scheduler
/// honours, so the session that delivers can only be the social layer's own dial (this node is its initiator).
/// </summary>
public sealed class OwedDeliveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FriendRequestToKnownPeerWithoutSession_IsQueued_ThenDialledAndDelivered()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "alice");
        await using var b = await StartAsync(tmp, "bob");
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        await CutAsync(a, b);

        var entry = a.Social.AddFriend(new PeerRef(b.Fingerprint, "bob"), "hello again");

        entry.State.Should().Be(FriendState.PendingOut);
        await Eventually.True(() => b.Social.GetFriends().Any(f => f.Fingerprint == a.Fingerprint && f.State == FriendState.PendingIn), Wait);
        await Eventually.True(() => a.Social.GetFriends().Single().Delivered, Wait);
        a.GetSessions().Single().Direction.Should().Be(SessionDirection.Outbound, "alice dialled bob to deliver");
    }

    [Fact]
    public async Task BurstToFriendWithoutSession_OneDial_EveryMessageDeliveredOnce()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "alice");
        await using var b = await StartAsync(tmp, "bob");
        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        a.Social.AddFriend(new PeerRef(b.Fingerprint, "bob"), "hi");
        await Eventually.True(() => b.Social.GetFriends().Any(f => f.State == FriendState.PendingIn), Wait);
        b.Social.Accept(a.Fingerprint);
        await Eventually.True(() => a.Social.GetFriends().Single().State == FriendState.Friend, Wait);
        await CutAsync(a, b);
        var connectsBefore = a.Mesh.Counters.HandshakesCompleted;

        for (var i = 0; i < 20; i++)
        {
            a.Social.SendMessage(b.Fingerprint, $"m{i}");
        }

        await Eventually.True(() => a.Social.GetConversation(b.Fingerprint, 100).Count(m => m.State == ChatState.Delivered) == 20, Wait);
        var received = b.Social.GetConversation(a.Fingerprint, 100).Where(m => !m.Outgoing).Select(m => m.Text).ToList();
        received.Should().BeEquivalentTo(Enumerable.Range(0, 20).Select(i => $"m{i}"), "each exactly once");
        a.GetSessions().Single().Direction.Should().Be(SessionDirection.Outbound);
        (a.Mesh.Counters.HandshakesCompleted - connectsBefore).Should().Be(1, "one dial for the whole burst");
    }

    /// <summary>The user's disconnect: the session ends on both sides and the dial scheduler leaves the peer alone.</summary>
    private static async Task CutAsync(OpenRedNode a, OpenRedNode b)
    {
        (await a.DisconnectAsync(b.Fingerprint, CancellationToken.None)).Should().BeTrue();
        await Eventually.True(() => a.GetSessions().Count == 0 && b.GetSessions().Count == 0, Wait);
    }

    private static Task<OpenRedNode> StartAsync(TempDirectory tmp, string nodeId) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
}
