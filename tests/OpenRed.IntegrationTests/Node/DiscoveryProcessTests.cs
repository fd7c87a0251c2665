using System.Diagnostics;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Node;

/// <summary>Issue 3 as a user sees it: real processes on one host find each other through the lighthouse on loopback.</summary>
public sealed class DiscoveryProcessTests
{
    private static readonly TimeSpan DiscoveryDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ThreeNodes_MapsShowTheOtherTwo_QuitNodeIsDroppedAtOnce()
    {
        using var dir = new TempDirectory();
        var lighthouse = NodeCli.NewLighthousePort();

        // A 5 s interval: expiry would take 15 s, so a drop within a few seconds can only be the goodbye.
        var started = await Task.WhenAll(
            NodeCli.StartWithLighthouseAsync(dir.Sub("a"), "alice", lighthouse, 5),
            NodeCli.StartWithLighthouseAsync(dir.Sub("b"), "bob", lighthouse, 5),
            NodeCli.StartWithLighthouseAsync(dir.Sub("c"), "carol", lighthouse, 5));
        await using var a = started[0];
        await using var b = started[1];
        await using var c = started[2];
        var fingerprints = await Task.WhenAll(started.Select(NodeCli.FingerprintAsync));

        for (var i = 0; i < 3; i++)
        {
            var others = fingerprints.Where((_, j) => j != i).ToList();
            var map = await NodeCli.PollAsync(started[i], "map", m => others.All(NodeCli.MapPeers(m).Contains), DiscoveryDeadline);
            map.GetProperty("self").GetProperty("fingerprint").GetString().Should().Be(fingerprints[i]);
            NodeCli.MapPeers(map).Should().BeEquivalentTo(others, "a node never lists itself");
            foreach (var peer in map.GetProperty("peers").EnumerateArray())
            {
                peer.GetProperty("sector").GetString().Should().Be("general");
                peer.GetProperty("same_sector").GetBoolean().Should().BeTrue();
                peer.GetProperty("address").GetString().Should().Be("127.0.0.1");
                peer.GetProperty("tcp_port").GetInt32().Should().BeInRange(1, 65535);
                peer.GetProperty("state").GetString().Should().BeOneOf("unverified", "verified", "connected");
                peer.GetProperty("last_heard_ago_ms").GetInt64().Should().BeLessThan(15_000);
            }

            var ids = map.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("node_id").GetString()).ToList();
            ids.Should().BeInAscendingOrder(StringComparer.Ordinal, "peers are sorted by sector, then node-id");
        }

        var clock = Stopwatch.StartNew();
        await NodeCli.QuitAsync(b);
        foreach (var survivor in new[] { a, c })
        {
            await NodeCli.PollAsync(survivor, "map", m => !NodeCli.MapPeers(m).Contains(fingerprints[1]), TimeSpan.FromSeconds(8));
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(12), "the goodbye removes the peer long before 3 intervals of 5 s");
    }

    [Fact]
    public async Task KilledNode_IsDroppedAfterThreeBeaconIntervals()
    {
        using var dir = new TempDirectory();
        var lighthouse = NodeCli.NewLighthousePort();
        await using var a = await NodeCli.StartWithLighthouseAsync(dir.Sub("a"), "alice", lighthouse, 1);
        await using var b = await NodeCli.StartWithLighthouseAsync(dir.Sub("b"), "bob", lighthouse, 1);
        var bobFingerprint = await NodeCli.FingerprintAsync(b);
        var before = await NodeCli.PollAsync(a, "map", m => NodeCli.MapPeers(m).Contains(bobFingerprint), DiscoveryDeadline);
        var heardAgo = TimeSpan.FromMilliseconds(Peer(before, bobFingerprint).GetProperty("last_heard_ago_ms").GetInt64());

        var clock = Stopwatch.StartNew();
        b.Kill();
        await b.WaitForExitAsync();

        await NodeCli.PollAsync(a, "map", m => !NodeCli.MapPeers(m).Contains(bobFingerprint), TimeSpan.FromSeconds(10));
        var silence = heardAgo + clock.Elapsed;
        silence.Should().BeGreaterThan(TimeSpan.FromSeconds(2.5), "no goodbye was sent: only 3 intervals of silence remove it");
        (await a.CommandJsonAsync("status")).GetProperty("sessions").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task DifferentSectors_SeeEachOther_NeverAutoConnect()
    {
        using var dir = new TempDirectory();
        var lighthouse = NodeCli.NewLighthousePort();
        await using var a = await NodeCli.StartWithLighthouseAsync(dir.Sub("a"), "alice", lighthouse, 1, "--sector", "family");
        await using var b = await NodeCli.StartWithLighthouseAsync(dir.Sub("b"), "bob", lighthouse, 1, "--sector", "work");
        var fa = await NodeCli.FingerprintAsync(a);
        var fb = await NodeCli.FingerprintAsync(b);

        var mapA = await NodeCli.PollAsync(a, "map", m => NodeCli.MapPeers(m).Contains(fb), DiscoveryDeadline);
        var mapB = await NodeCli.PollAsync(b, "map", m => NodeCli.MapPeers(m).Contains(fa), DiscoveryDeadline);
        Peer(mapA, fb).GetProperty("same_sector").GetBoolean().Should().BeFalse();
        Peer(mapA, fb).GetProperty("sector").GetString().Should().Be("work");
        Peer(mapA, fb).GetProperty("state").GetString().Should().Be("unverified");
        Peer(mapB, fa).GetProperty("same_sector").GetBoolean().Should().BeFalse();

        // Several beacon intervals, each one a chance for a wrong auto-dial; there must be none.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            NodeCli.Sessions(await a.CommandJsonAsync("peers")).Should().BeEmpty(a.Describe());
            NodeCli.Sessions(await b.CommandJsonAsync("peers")).Should().BeEmpty(b.Describe());
            await Task.Delay(300);
        }

        (await a.CommandJsonAsync("status")).GetProperty("handshakes_completed").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task SameSector_AutoConnects_LowerFingerprintDials()
    {
        using var dir = new TempDirectory();
        var lighthouse = NodeCli.NewLighthousePort();
        await using var a = await NodeCli.StartWithLighthouseAsync(dir.Sub("a"), "alice", lighthouse, 1);
        await using var b = await NodeCli.StartWithLighthouseAsync(dir.Sub("b"), "bob", lighthouse, 1);
        var fa = await NodeCli.FingerprintAsync(a);
        var fb = await NodeCli.FingerprintAsync(b);

        var peersA = await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, DiscoveryDeadline);
        var peersB = await NodeCli.PollAsync(b, "peers", p => NodeCli.Sessions(p).Length == 1, DiscoveryDeadline);

        var sessionA = NodeCli.Sessions(peersA)[0];
        var sessionB = NodeCli.Sessions(peersB)[0];
        sessionA.GetProperty("fingerprint").GetString().Should().Be(fb);
        sessionA.GetProperty("node_id").GetString().Should().Be("bob");
        sessionB.GetProperty("fingerprint").GetString().Should().Be(fa);
        sessionA.GetProperty("session_id").GetString().Should().Be(sessionB.GetProperty("session_id").GetString());

        // Lowercase hex compares like the bytes: the lower fingerprint dials.
        var aDials = string.CompareOrdinal(fa, fb) < 0;
        sessionA.GetProperty("direction").GetString().Should().Be(aDials ? "outbound" : "inbound");
        sessionB.GetProperty("direction").GetString().Should().Be(aDials ? "inbound" : "outbound");
        await NodeCli.PollAsync(a, "map", m => StateOf(m, fb) == "connected", DiscoveryDeadline);
        (await a.CommandJsonAsync("map")).GetProperty("sessions").EnumerateArray()
            .Select(s => s.GetProperty("fingerprint").GetString()).Should().Equal(fb);
    }

    private static string? StateOf(JsonElement map, string fingerprint) =>
        map.GetProperty("peers").EnumerateArray().Where(p => p.GetProperty("fingerprint").GetString() == fingerprint)
            .Select(p => p.GetProperty("state").GetString()).FirstOrDefault();

    private static JsonElement Peer(JsonElement map, string fingerprint) =>
        map.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("fingerprint").GetString() == fingerprint);
}
