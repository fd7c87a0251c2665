using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// Issue 5, discovery across hosts by real multicast: four lab hosts each run <c>openred</c> with a 1 s beacon
/// interval; every map lists the other three within 2 s and keeps them; an unplugged host is lost after 3
/// intervals and comes back when its cable does.
/// </summary>
/// <remarks>
/// A sector per host: no auto-connect, so the maps show the lighthouse alone. A peer with a live session is never
/// dropped by silence alone (section 3: the node pings it instead); sessions have their own scenario.
/// </remarks>
[Collection(ScenarioCollection.Name)]
public sealed class DiscoveryScenarioTests(ITestOutputHelper output)
{
    private static readonly string[] Sectors = ["d1", "d2", "d3", "d4"];

    /// <summary>The issue's bound for a full map, counted from when all four nodes answered.</summary>
    private static readonly TimeSpan DiscoveryLimit = TimeSpan.FromSeconds(2);

    /// <summary>The last solicit beacon of the start burst goes 6 s after start (section 3); then one every interval.</summary>
    private static readonly TimeSpan BurstEnd = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Expiry needs more than 3 intervals (3 s) of silence, and the sweep runs every second. The last poll that still
    /// lists the lost host comes at most one poll and one answer before its removal, so it must show at least this
    /// much silence: a host is not dropped after one or two missed beacons. Silence is counted from the observer's
    /// own last_heard_ms, so a starved CPU delaying the victim's last beacon before the unplugging cannot fail this.
    /// </summary>
    private static readonly TimeSpan ListedAtLeastUntilSilence = TimeSpan.FromSeconds(2);

    /// <summary>3 intervals of silence, then up to one 1 s expiry sweep, then a poll; the rest is CI margin.</summary>
    private static readonly TimeSpan LostWithin = TimeSpan.FromSeconds(8);

    /// <summary>The next beacon (≤ 1.1 s) after the cable is back; the rest is CI margin.</summary>
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(5);

    [LabFact]
    public async Task FourHosts_MapsListEachOther_UnpluggedHostLostAfterThreeIntervals_ReturnsWithItsCable()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(Sectors, cancellationToken);

        // Discovery: every map lists the other three, with the addresses, ports and sectors the beacons carry.
        var found = await Task.WhenAll(lab.Nodes.Select(n => WaitForFullMapAsync(lab, n, lab.AllAnsweredAt, TimeSpan.FromSeconds(10), cancellationToken)));
        Report("full map after all answered status", found);
        foreach (var (node, map) in lab.Nodes.Zip(found.Select(f => f.Map)))
        {
            map.SelfNodeId.Should().Be(node.NodeId);
            foreach (var other in lab.Nodes.Where(o => o != node))
            {
                var entry = map.Find(other.NodeId);
                entry.Should().NotBeNull($"{map}");
                entry!.Fingerprint.Should().Be(lab.FirstStatus[other.Host - 1].Fingerprint);
                entry.Address.Should().Be(other.Address.ToString());
                entry.TcpPort.Should().Be(LabNode.TcpPort);
                entry.Sector.Should().Be(other.Sector);
                entry.SameSector.Should().BeFalse();
                entry.State.Should().Be("unverified", "no handshake across sectors");
            }

            map.SessionNodeIds.Should().BeEmpty();
        }

        found.Select(f => f.Seconds).Should().OnlyContain(
            s => s <= DiscoveryLimit.TotalSeconds,
            $"each map must list the other 3 within {DiscoveryLimit.TotalSeconds} s of all nodes answering");

        // Unplug only in steady beaconing, past the start burst, so the loss measured is the unplugging's alone.
        await WaitPastBurstAsync(lab, cancellationToken);
        await Task.WhenAll(lab.Nodes.Select(n => WaitForFullMapAsync(lab, n, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(10), cancellationToken)));

        // Link down: host 4 falls silent; the others drop it after 3 intervals of silence, not before.
        var victim = lab[4];
        var observers = lab.Nodes.Where(n => n != victim).ToList();
        var beforeUnplug = Stopwatch.GetTimestamp();
        await lab.Lab.LinkDownAsync(victim.Host, cancellationToken);
        var unplugged = Stopwatch.GetTimestamp();
        var losses = await Task.WhenAll(observers.Select(o => WatchLossAsync(o, victim.NodeId, beforeUnplug, unplugged, cancellationToken)));
        foreach (var (observer, loss) in observers.Zip(losses))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{observer.NodeId} lost {victim.NodeId}: after unplugging listed until {loss.LastListed:0.00} s, gone at {loss.Gone:0.00} s; "
                + $"after its last beacon listed until {loss.SilenceListed:0.00} s, gone at {loss.SilenceGone:0.00} s; "
                + $"slowest answer {loss.SlowestAnswer:0.00} s"));
        }

        losses.Should().OnlyContain(l => l.SilenceListed >= ListedAtLeastUntilSilence.TotalSeconds,
            $"a host must be dropped only after 3 intervals of silence (still listed {ListedAtLeastUntilSilence.TotalSeconds} s after its last beacon)");
        losses.Should().OnlyContain(l => l.Gone <= LostWithin.TotalSeconds,
            $"a silent host must be lost within {LostWithin.TotalSeconds} s of unplugging");

        // Link up: its next beacon puts it back on every map, and it hears the others again.
        await lab.Lab.LinkUpAsync(victim.Host, cancellationToken);
        var plugged = Stopwatch.GetTimestamp();
        var back = await Task.WhenAll(lab.Nodes.Select(n => WaitForFullMapAsync(lab, n, plugged, TimeSpan.FromSeconds(15), cancellationToken)));
        Report("full map again after the cable is back", back);
        back.Select(b => b.Seconds).Should().OnlyContain(s => s <= BackWithin.TotalSeconds,
            $"the host must reappear within {BackWithin.TotalSeconds} s of its cable returning");
        foreach (var map in back.Select(b => b.Map).Where(m => m.SelfNodeId != victim.NodeId))
        {
            map.Find(victim.NodeId)!.Address.Should().Be(victim.Address.ToString());
        }
    }

    /// <summary>
    /// A host whose cable stays in stays on every map, including through the start burst (solicit beacons at 0, 2
    /// and 6 s, section 3): with interval 1 s the 2→6 s pause is longer than the 3 s expiry unless steady beacons
    /// fill it (they did not at first: every map dropped every peer at about 5 s and found it again at 6 s).
    /// </summary>
    [LabFact]
    public async Task FourHosts_StayOnEveryMap_ThroughTheStartBurst()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(Sectors, cancellationToken);
        await Task.WhenAll(lab.Nodes.Select(n => WaitForFullMapAsync(lab, n, lab.AllAnsweredAt, TimeSpan.FromSeconds(10), cancellationToken)));

        var steadyAtMs = lab.FirstStatus.Max(s => s.StartedAtMs) + (long)(BurstEnd + TimeSpan.FromSeconds(2)).TotalMilliseconds;
        var drops = await Task.WhenAll(lab.Nodes.Select(async node =>
        {
            var others = lab.Nodes.Where(o => o != node).Select(o => o.NodeId).ToList();
            var missing = new List<string>();
            while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < steadyAtMs)
            {
                var map = await node.MapAsync(ScenarioLab.AnswerTimeout, cancellationToken);
                var uptime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - lab.FirstStatus[node.Host - 1].StartedAtMs;
                missing.AddRange(others.Where(o => !map.Lists(o)).Select(o => string.Create(
                    CultureInfo.InvariantCulture, $"{node.NodeId} lost {o} at {uptime / 1000.0:0.0} s of its uptime")));
                await Task.Delay(Poll.Every, cancellationToken);
            }

            return missing;
        }));

        var all = drops.SelectMany(d => d).ToList();
        foreach (var line in all.GroupBy(l => l[..l.IndexOf(" at ", StringComparison.Ordinal)]).Select(g => g.First()))
        {
            output.WriteLine(line);
        }

        all.Should().BeEmpty("a host on the LAN that keeps beaconing must never leave a map");
    }

    private static async Task WaitPastBurstAsync(ScenarioLab lab, CancellationToken cancellationToken)
    {
        var steadyAtMs = lab.FirstStatus.Max(s => s.StartedAtMs) + (long)(BurstEnd + TimeSpan.FromSeconds(1)).TotalMilliseconds;
        var wait = steadyAtMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
        }
    }

    /// <summary>Polls <paramref name="node"/>'s map until it lists every other node; seconds counted from <paramref name="since"/>.</summary>
    private static async Task<(double Seconds, int Polls, MapView Map)> WaitForFullMapAsync(
        ScenarioLab lab, LabNode node, long since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var others = lab.Nodes.Where(o => o != node).Select(o => o.NodeId).ToList();
        var polls = 0;
        var map = await Poll.UntilAsync(
            c =>
            {
                polls++;
                return node.MapAsync(ScenarioLab.AnswerTimeout, c);
            },
            m => others.All(m.Lists),
            timeout,
            $"{node.NodeId}'s map listing {string.Join(", ", others)}",
            cancellationToken);
        return (Poll.SecondsSince(since), polls, map);
    }

    /// <summary>
    /// Polls <paramref name="observer"/>'s map until <paramref name="nodeId"/> is gone. LastListed: seconds from
    /// <paramref name="unplugged"/> to the sending of the last poll that still listed it; Gone: seconds from
    /// <paramref name="beforeUnplug"/> to the first answer without it. SilenceListed and SilenceGone: the same two
    /// moments counted from the last beacon the observer heard (its last_heard_ms; all hosts share one clock).
    /// </summary>
    private static async Task<(double LastListed, double Gone, double SilenceListed, double SilenceGone, double SlowestAnswer)> WatchLossAsync(
        LabNode observer, string nodeId, long beforeUnplug, long unplugged, CancellationToken cancellationToken)
    {
        var lastListed = double.NaN;
        var silenceListed = double.NaN;
        long? lastHeardMs = null;
        var slowest = TimeSpan.Zero;
        while (true)
        {
            var asked = Stopwatch.GetTimestamp();
            var askedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var map = await observer.MapAsync(ScenarioLab.AnswerTimeout, cancellationToken);
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, Stopwatch.GetElapsedTime(asked).Ticks));
            var entry = map.Find(nodeId);
            if (entry is null)
            {
                var silenceGone = lastHeardMs is { } heard ? (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - heard) / 1000.0 : double.NaN;
                return (lastListed, Poll.SecondsSince(beforeUnplug), silenceListed, silenceGone, slowest.TotalSeconds);
            }

            lastListed = Stopwatch.GetElapsedTime(unplugged, asked).TotalSeconds;
            lastHeardMs = entry.LastHeardMs;
            silenceListed = (askedMs - entry.LastHeardMs) / 1000.0;
            if (Poll.SecondsSince(beforeUnplug) > 15)
            {
                throw new TimeoutException($"{observer.NodeId} still lists {nodeId} 15 s after it was unplugged: {map}");
            }

            await Task.Delay(Poll.Every, cancellationToken);
        }
    }

    private void Report(string what, IEnumerable<(double Seconds, int Polls, MapView Map)> results)
    {
        foreach (var (seconds, polls, map) in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{map.SelfNodeId}: {what}: {seconds:0.00} s ({polls} polls)"));
        }
    }
}
