using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Exchange;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Peers;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Mesh;

namespace OpenRed.IntegrationTests.Exchange;

/// <summary>Peer exchange on whole nodes in this process, with a hand-driven mesh as the peer that breaks the rules.</summary>
public sealed class ExchangeNodeTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task PeerThatSendsTwiceWithinAMinute_IsDisconnected_CountedAndQuiet()
    {
        using var tmp = new TempDirectory();
        await using var node = await Start(tmp, "hub");
        await using var rogue = MeshHarness.Start(keys.Low, "rogue");
        var session = await rogue.Mesh.ConnectAsync("127.0.0.1", node.Port, node.Fingerprint, CancellationToken.None);

        await session.SendAsync(List(Entry(Peer(0x31), "127.0.0.1", 40001)), CancellationToken.None);
        await session.SendAsync(List(Entry(Peer(0x32), "127.0.0.1", 40002)), CancellationToken.None);

        await session.Completion.WaitAsync(Wait);
        session.CloseInfo!.Kind.Should().Be(SessionCloseKind.PeerGoodbye);
        session.CloseInfo.Reason.Should().Contain("more often than once a minute");
        var exchange = Section(node, "exchange");
        ((IReadOnlyDictionary<string, long>)exchange["peers_disconnected"]!).Should().Contain("too_often", 1);
        exchange["entries_taken"].Should().Be(1L, "the first list was within the rules");
        await Eventually.True(() => (int)Section(node, "dialling")["quiet"]! == 1, Wait);
    }

    [Fact]
    public async Task PeerThatSendsMoreThanFiftyEntries_IsDisconnected_AndCounted()
    {
        using var tmp = new TempDirectory();
        await using var node = await Start(tmp, "hub");
        await using var rogue = MeshHarness.Start(keys.Low, "rogue");
        var session = await rogue.Mesh.ConnectAsync("127.0.0.1", node.Port, node.Fingerprint, CancellationToken.None);

        await session.SendAsync(List([.. Enumerable.Range(0, 51).Select(i => Entry(Peer((byte)(0x40 + i)), "127.0.0.1", 40000 + i))]), CancellationToken.None);

        await session.Completion.WaitAsync(Wait);
        await Eventually.True(() => node.Mesh.Sessions.Count == 0, Wait);

        // The module counts in its own SessionClosed handler, which runs just after the table lets the session go.
        await Eventually.True(() => ((IReadOnlyDictionary<string, long>)Section(node, "exchange")["peers_disconnected"]!).ContainsKey("too_many"), Wait);
        var exchange = Section(node, "exchange");
        ((IReadOnlyDictionary<string, long>)exchange["peers_disconnected"]!).Should().Contain("too_many", 1);
        exchange["entries_taken"].Should().Be(0L);
    }

    [Fact]
    public async Task EntryWithAWrongFingerprintForItsAddress_NeverBecomesASession()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        await using var b = await Start(tmp, "bob");
        await using var rogue = MeshHarness.Start(keys.Low, "rogue");
        var session = await rogue.Mesh.ConnectAsync("127.0.0.1", a.Port, a.Fingerprint, CancellationToken.None);
        var wrong = Peer(0x77);

        await session.SendAsync(List(Entry(wrong, "127.0.0.1", b.Port)), CancellationToken.None);

        var at = PeerAddress.Create("127.0.0.1", b.Port);
        var peers = a.Module<PeersModule>()!;
        await Eventually.True(() => peers.Snapshot()!.Candidates.Any(c => c.Address == at && c.LastFailureReason == DialFailure.FingerprintMismatch), Wait);
        var candidate = peers.Snapshot()!.Candidates.Single(c => c.Address == at);
        candidate.Expected.Should().Be(wrong, "a list never overrules what the entry claimed; the dial proves it wrong");
        candidate.Verified.Should().BeFalse();
        a.Mesh.Find(b.Fingerprint).Should().BeNull();
        b.Mesh.Sessions.Should().BeEmpty();
    }

    [Fact]
    public async Task UnlistedNode_AppearsInNoList_AndSendsNone()
    {
        using var tmp = new TempDirectory();
        await using var hub = await Start(tmp, "hub");
        await using var unlisted = await Start(tmp, "hidden", unlisted: true);
        await using var listed = await Start(tmp, "listed");
        var lists = new ConcurrentQueue<PeerExchange>();
        await using var observer = MeshHarness.Start(keys.Low, "observer", register: m => m.Handle(
            Envelope.BodyOneofCase.PeerExchange, (_, e, _) =>
            {
                lists.Enqueue(e.PeerExchange);
                return ValueTask.CompletedTask;
            }));

        await unlisted.ConnectAsync("127.0.0.1", hub.Port, hub.Fingerprint, CancellationToken.None);
        await unlisted.ConnectAsync("127.0.0.1", listed.Port, listed.Fingerprint, CancellationToken.None);
        await listed.ConnectAsync("127.0.0.1", hub.Port, hub.Fingerprint, CancellationToken.None);
        await observer.Mesh.ConnectAsync("127.0.0.1", hub.Port, hub.Fingerprint, CancellationToken.None);
        await observer.Mesh.ConnectAsync("127.0.0.1", listed.Port, listed.Fingerprint, CancellationToken.None);

        // Each of hub and listed lists the other to the observer; neither ever lists the unlisted node.
        await Eventually.True(() => Named(lists).Contains(listed.Fingerprint) && Named(lists).Contains(hub.Fingerprint), Wait);
        Named(lists).Should().NotContain(unlisted.Fingerprint);
        Section(unlisted, "exchange")["sent"].Should().Be(0L);
        Section(unlisted, "exchange")["enabled"].Should().Be(false);
        ((long)Section(hub, "exchange")["sent"]!).Should().BeGreaterThan(0);
    }

    private static HashSet<Fingerprint> Named(IEnumerable<PeerExchange> lists) =>
        [.. lists.SelectMany(l => l.Peers).Select(p => Fingerprint.FromBytes(p.Fingerprint.Span))];

    private static IReadOnlyDictionary<string, object?> Section(OpenRedNode node, string name) =>
        node.GetStatus().Sections.Single(s => s.Name == name).Json;

    private static Fingerprint Peer(byte b) => Fingerprint.FromBytes(Enumerable.Repeat(b, Fingerprint.Length).ToArray());

    private static PeerInfo Entry(Fingerprint fingerprint, string host, int port) => new()
    {
        Fingerprint = ByteString.CopyFrom(fingerprint.Bytes),
        NodeId = "n" + fingerprint.Short[..4],
        Sector = "general",
        Host = host,
        Port = (uint)port,
    };

    private static Envelope List(params PeerInfo[] entries) => new() { PeerExchange = new PeerExchange { Peers = { entries } } };

    private static Task<OpenRedNode> Start(TempDirectory tmp, string nodeId, bool unlisted = false) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                Unlisted = unlisted,
                Peers = PeerOptions.Default with { BackoffMax = TimeSpan.FromSeconds(1) },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
}
