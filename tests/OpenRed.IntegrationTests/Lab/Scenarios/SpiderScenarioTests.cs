using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// Issue 12 across two LANs: host 1 sits on both bridges (its lighthouse on LAN 1 only), hosts 2–3 on LAN 1 and
/// 4–5 on LAN 2, nothing forwards between them. Each LAN finds itself by multicast; host 4 is told host 1's LAN 2
/// address by --bootstrap; everything else about the other LAN is learned by peer exchange.
/// </summary>
[Collection(ScenarioCollection.Name)]
public sealed class SpiderScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// A host of one LAN learns a host of the other from host 1's list: the first goes out as soon as the session has
    /// something to list, a changed one at most a minute later (section 7). One minute, plus start and CI margin.
    /// </summary>
    private static readonly TimeSpan LearnedWithin = TimeSpan.FromSeconds(100);

    [LabFact]
    public async Task TwoLansJoinedByOneNode_EachLanByMulticast_TheOtherLanByExchange()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(
            new LabOptions(Topology: LabTopology.Spider),
            ["general", "general", "general", "general", "general"],
            host => host == 4 ? ["--bootstrap", "10.77.1.1:8080"] : [],
            cancellationToken);
        var fingerprints = lab.FirstStatus.Select(s => s.Fingerprint).ToList();
        string Name(string fingerprint) => "h" + (fingerprints.IndexOf(fingerprint) + 1).ToString(CultureInfo.InvariantCulture);

        var views = await Task.WhenAll(lab.Nodes.Select(async n =>
        {
            var others = fingerprints.Where((_, i) => i != n.Host - 1).ToList();
            var view = await Poll.UntilAsync(
                async c => SpiderMap.Parse(await n.CommandJsonAsync("map", "self", ScenarioLab.AnswerTimeout, c)),
                m => others.All(m.Sources.ContainsKey),
                LearnedWithin,
                $"{n.NodeId}'s map naming every other host",
                cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n.NodeId} after {Poll.SecondsSince(lab.AllAnsweredAt):0.0} s: {string.Join("; ", view.Sources.Select(p => $"{Name(p.Key)} via {string.Join("+", p.Value)}"))}"));
            return (Node: n, View: view);
        }));

        // Host 1 is on both LANs: it meets LAN 2 through the dials of hosts 4 and 5, not through a list.
        foreach (var (node, view) in views.Where(v => v.Node.Host != 1))
        {
            var lan1 = node.Host is 1 or 2 or 3;
            foreach (var (fingerprint, sources) in view.Sources)
            {
                var host = fingerprints.IndexOf(fingerprint) + 1;
                var sameLan = host == 1 || (host is 2 or 3) == lan1;
                if (!sameLan)
                {
                    sources.Should().Contain("exchange", $"{node.NodeId} can only learn h{host} from a list: {view}");
                }
            }

            if (node.Host is 2 or 3)
            {
                view.Heard.Should().Contain(fingerprints[node.Host == 2 ? 2 : 1], "a LAN finds itself by multicast");
            }

            if (node.Host is 4 or 5)
            {
                view.Heard.Should().Contain(fingerprints[node.Host == 4 ? 4 : 3], "a LAN finds itself by multicast");
            }
        }
    }

    /// <summary>
    /// <c>map --json</c> as the spider reads it: every fingerprint named (heard, in a session, or known from the
    /// directory) with how it was learned, and which were heard by beacon.
    /// </summary>
    private sealed record SpiderMap(IReadOnlyDictionary<string, IReadOnlyList<string>> Sources, IReadOnlySet<string> Heard)
    {
        public static SpiderMap Parse(JsonElement json)
        {
            var sources = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var heard = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in json.GetProperty("peers").EnumerateArray())
            {
                heard.Add(p.GetProperty("fingerprint").GetString()!);
                Add(sources, p);
            }

            foreach (var p in json.GetProperty("sessions").EnumerateArray().Concat(json.GetProperty("known").EnumerateArray()))
            {
                Add(sources, p);
            }

            return new SpiderMap(sources, heard);
        }

        public override string ToString() => string.Join("; ", Sources.Select(p => $"{p.Key[..8]} via {string.Join("+", p.Value)}"));

        private static void Add(Dictionary<string, IReadOnlyList<string>> sources, JsonElement p)
        {
            var fingerprint = p.GetProperty("fingerprint").GetString()!;
            var list = p.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToList();
            sources[fingerprint] = sources.TryGetValue(fingerprint, out var old) ? [.. old.Union(list)] : list;
        }
    }
}
