using System.Globalization;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;

namespace OpenRed.IntegrationTests.Exchange;

/// <summary>Issue 12 as a user sees it: real processes on loopback, each told only of the one before it.</summary>
public sealed class SpiderProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ChainOfSix_EachBootstrappedFromThePrevious_EveryNodeKnowsEveryOther_AndHoldsSessions()
    {
        using var dir = new TempDirectory();
        var nodes = new List<OpenRedProcess>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                string[] bootstrap = i == 0 ? [] : ["--bootstrap", "127.0.0.1:" + (await NodeCli.TcpPortAsync(nodes[i - 1])).ToString(CultureInfo.InvariantCulture)];
                nodes.Add(await NodeCli.StartAsync(dir.Sub("n" + i), "n" + i, 0, bootstrap));
            }

            var fingerprints = new List<string>();
            foreach (var n in nodes)
            {
                fingerprints.Add(await NodeCli.FingerprintAsync(n));
            }

            for (var i = 0; i < nodes.Count; i++)
            {
                var others = fingerprints.Where((_, j) => j != i).ToList();
                var map = await NodeCli.PollAsync(nodes[i], "map", m => others.All(Known(m).Contains) && m.GetProperty("sessions").GetArrayLength() >= 3, Deadline);
                Known(map).Should().BeEquivalentTo(others, "a node never lists itself");
            }

            // The first node learned the others only from their lists or their dials: map says how.
            var first = await nodes[0].CommandJsonAsync("map");
            var sources = first.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("sources"))
                .Concat(first.GetProperty("known").EnumerateArray().Select(k => k.GetProperty("sources")))
                .SelectMany(s => s.EnumerateArray().Select(e => e.GetString())).ToHashSet();
            sources.Should().Contain("exchange");
            var last = await nodes[^1].CommandJsonAsync("status");
            last.GetProperty("dialling").GetProperty("candidates_by_source").GetProperty("bootstrap").GetInt32().Should().Be(1);
            last.GetProperty("exchange").GetProperty("received").GetInt64().Should().BeGreaterThan(0);
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RestartWithoutFlags_ReconnectsToThePeersItKnew()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        var portA = await NodeCli.TcpPortAsync(a);
        await using var b = await NodeCli.StartAsync(dir.Sub("b"), "bob", 0, "--bootstrap", "127.0.0.1:" + portA.ToString(CultureInfo.InvariantCulture));
        var portB = await NodeCli.TcpPortAsync(b);
        var c = await NodeCli.StartAsync(dir.Sub("c"), "carol", 0, "--bootstrap", "127.0.0.1:" + portB.ToString(CultureInfo.InvariantCulture));
        await using var owned = c;
        var fa = await NodeCli.FingerprintAsync(a);
        var fb = await NodeCli.FingerprintAsync(b);
        await NodeCli.PollAsync(c, "peers", p => SessionSet(p).SetEquals([fa, fb]), Deadline);

        await NodeCli.QuitAsync(c);
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        await using var again = await NodeCli.StartAsync(dir.Sub("c"), "carol");

        await NodeCli.PollAsync(again, "peers", p => SessionSet(p).SetEquals([fa, fb]), Deadline);
        var status = await again.CommandJsonAsync("status");
        status.GetProperty("dialling").GetProperty("candidates_by_source").TryGetProperty("bootstrap", out _).Should().BeFalse("no flag this time");
    }

    private static HashSet<string> SessionSet(JsonElement peers) =>
        [.. NodeCli.Sessions(peers).Select(s => s.GetProperty("fingerprint").GetString()!)];

    /// <summary>Every peer a <c>map --json</c> names: heard, in a session, or known from the directory.</summary>
    private static HashSet<string> Known(JsonElement map) =>
    [
        .. NodeCli.MapPeers(map),
        .. map.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("fingerprint").GetString()!),
        .. map.GetProperty("known").EnumerateArray().Select(k => k.GetProperty("fingerprint").GetString()!),
    ];
}
