using System.Globalization;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// Issue 5, sessions across hosts: hosts 1–3 in sector "family" and host 4 in "work". The family connects by
/// itself (auto-connect within a sector); nobody connects across sectors, and every map says so.
/// </summary>
[Collection(ScenarioCollection.Name)]
public sealed class SessionScenarioTests(ITestOutputHelper output)
{
    /// <summary>Discovery (about 1 s) plus a TCP connect and handshake on a quiet LAN; the rest is CI margin.</summary>
    private static readonly TimeSpan SessionsWithin = TimeSpan.FromSeconds(15);

    /// <summary>Three beacon intervals: every node has heard every other node several times meanwhile.</summary>
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(3);

    [LabFact]
    public async Task SameSector_AutoConnects_OtherSector_NeverConnects()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(["family", "family", "family", "work"], cancellationToken);
        var family = lab.Nodes.Where(n => n.Sector == "family").ToList();
        var work = lab[4];

        // Within the sector: each family node has a session with each other family node, and no other.
        var sessions = await Task.WhenAll(family.Select(async f =>
        {
            var partners = family.Where(o => o != f).Select(o => o.NodeId).ToList();
            var peers = await Poll.UntilAsync(
                c => f.PeersAsync(ScenarioLab.AnswerTimeout, c),
                p => partners.All(p.NodeIds.Contains),
                SessionsWithin,
                $"{f.NodeId}'s sessions with {string.Join(", ", partners)}",
                cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.NodeId}: sessions with the family after {Poll.SecondsSince(lab.AllAnsweredAt):0.00} s: {peers}"));
            return (Node: f, Partners: partners, Peers: peers);
        }));
        foreach (var (node, partners, peers) in sessions)
        {
            peers.NodeIds.Should().BeEquivalentTo(partners, $"{node.NodeId} connects within its sector only");
            peers.Sessions.Should().OnlyContain(s => s.Direction == "inbound" || s.Direction == "outbound");
        }

        // Every map shows every other node; host 4 is of another sector everywhere, and unconnected.
        var maps = await Task.WhenAll(lab.Nodes.Select(n =>
        {
            var others = lab.Nodes.Where(o => o != n).Select(o => o.NodeId).ToList();
            return Poll.UntilAsync(
                c => n.MapAsync(ScenarioLab.AnswerTimeout, c),
                m => others.All(m.Lists),
                TimeSpan.FromSeconds(10),
                $"{n.NodeId}'s map listing {string.Join(", ", others)}",
                cancellationToken);
        }));
        foreach (var map in maps)
        {
            output.WriteLine(map.ToString());
            var self = lab.Nodes.Single(n => n.NodeId == map.SelfNodeId);
            foreach (var peer in map.Peers)
            {
                var other = lab.Nodes.Single(n => n.NodeId == peer.NodeId);
                var same = other.Sector == self.Sector;
                peer.Sector.Should().Be(other.Sector);
                peer.SameSector.Should().Be(same, $"{map}");
                peer.State.Should().Be(same ? "connected" : "unverified", $"{map}");
            }

            map.SessionNodeIds.Should().BeEquivalentTo(
                family.Contains(self) ? family.Where(f => f != self).Select(f => f.NodeId) : [],
                $"{map}");
        }

        maps.Where(m => m.SelfNodeId != work.NodeId)
            .Select(m => m.Find(work.NodeId)!)
            .Should().OnlyContain(p => !p.SameSector && p.Sector == "work");

        // Across sectors: over several more beacons, nobody dials host 4 and host 4 dials nobody.
        var end = DateTime.UtcNow + QuietWindow;
        var samples = 0;
        while (DateTime.UtcNow < end)
        {
            var answers = await Task.WhenAll(lab.Nodes.Select(n => n.PeersAsync(ScenarioLab.AnswerTimeout, cancellationToken)));
            answers[work.Host - 1].Sessions.Should().BeEmpty("host 4 is alone in sector work");
            answers.Take(3).Should().OnlyContain(p => !p.NodeIds.Contains(work.NodeId), "no session crosses sectors");
            samples++;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        var status = await Poll.UntilAsync(
            c => work.StatusAsync(ScenarioLab.AnswerTimeout, c), s => s.Peers == 3, TimeSpan.FromSeconds(5), "host 4 hearing the family", cancellationToken);
        status.Sessions.Should().Be(0);
        output.WriteLine($"no cross-sector session in {samples} samples over {QuietWindow.TotalSeconds} s");
    }

    [LabFact]
    public async Task ConnectedHostThatVanishes_IsDroppedWithinSeconds_AndReconnectsWhenBack()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(["family", "family"], cancellationToken);
        var (h1, h2) = (lab[1], lab[2]);
        await Poll.UntilAsync(c => h1.PeersAsync(ScenarioLab.AnswerTimeout, c), p => p.NodeIds.Contains(h2.NodeId), SessionsWithin, "the session", cancellationToken);

        // No goodbye reaches anyone: the session can only be found dead by the check ping that silence triggers.
        await lab.Lab.LinkDownAsync(2, cancellationToken);
        var unplugged = System.Diagnostics.Stopwatch.GetTimestamp();
        await Poll.UntilAsync(
            c => h1.MapAsync(ScenarioLab.AnswerTimeout, c), m => !m.Lists(h2.NodeId), TimeSpan.FromSeconds(20), "host 2 gone from host 1's map", cancellationToken);
        var gone = Poll.SecondsSince(unplugged);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"connected host 2 left host 1's map {gone:0.0} s after its cable was pulled"));
        (await h1.PeersAsync(ScenarioLab.AnswerTimeout, cancellationToken)).Sessions.Should().BeEmpty();

        await lab.Lab.LinkUpAsync(2, cancellationToken);
        await Poll.UntilAsync(c => h1.PeersAsync(ScenarioLab.AnswerTimeout, c), p => p.NodeIds.Contains(h2.NodeId), SessionsWithin, "the session again", cancellationToken);
    }
}
